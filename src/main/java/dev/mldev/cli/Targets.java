package dev.mldev.cli;

import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.target.DeploymentStore;
import dev.mldev.target.Target;
import dev.mldev.target.local.LocalTarget;

/** The target implementation behind a deployment record's target name. */
final class Targets {
    private Targets() {
    }

    static DeploymentStore store(Environment env) {
        return new DeploymentStore(env.stateDir());
    }

    static Target of(String target, Environment env) {
        return switch (target) {
            case LocalTarget.NAME -> local(env);
            default -> throw MldevException.failure("deployment target '" + target + "' is not supported by this mldev",
                    "upgrade mldev");
        };
    }

    static LocalTarget local(Environment env) {
        return new LocalTarget(store(env), env.get("MLDEV_AUTH_TOKEN").orElse(null));
    }
}
