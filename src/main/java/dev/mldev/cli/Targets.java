package dev.mldev.cli;

import dev.mldev.Environment;
import dev.mldev.TargetKind;
import dev.mldev.deploy.DeploymentStore;
import dev.mldev.deploy.Target;
import dev.mldev.deploy.cloudrun.CloudRunTarget;
import dev.mldev.deploy.local.LocalTarget;
import dev.mldev.deploy.pipeline.PipelineTarget;
import dev.mldev.deploy.vertex.VertexTarget;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** The target implementation behind a deployment record's target name. */
final class Targets {
    private Targets() {}

    static DeploymentStore store(Environment env) {
        return new DeploymentStore(env.stateDir());
    }

    /**
     * @param wakeTimeout how long vertex waits for a scale-up from zero
     * @param notice      one-line messages a target has for stderr
     * @param confirm     asks the user a yes/no question (vertex-pipeline: cancel the run on Ctrl-C?)
     */
    static Target of(
            TargetKind target,
            Environment env,
            Duration wakeTimeout,
            Consumer<String> notice,
            Predicate<String> confirm) {
        return switch (target) {
            case LOCAL -> local(env, notice);
            case VERTEX -> vertex(env, wakeTimeout, notice);
            case VERTEX_PIPELINE -> pipeline(env, notice, confirm);
            case CLOUD_RUN -> cloudRun(env, wakeTimeout, notice);
        };
    }

    static CloudRunTarget cloudRun(Environment env, Duration wakeTimeout, Consumer<String> notice) {
        return new CloudRunTarget(env, store(env), wakeTimeout, notice);
    }

    static VertexTarget vertex(Environment env, Duration wakeTimeout, Consumer<String> notice) {
        return new VertexTarget(env, store(env), wakeTimeout, notice);
    }

    static PipelineTarget pipeline(Environment env, Consumer<String> notice, Predicate<String> confirm) {
        return new PipelineTarget(env, store(env), notice, confirm, "mldev-" + VersionProvider.version());
    }

    static LocalTarget local(Environment env, Consumer<String> notice) {
        return new LocalTarget(
                store(env),
                env.get("MLDEV_AUTH_TOKEN").orElse(null),
                env.get("MLDEV_JAVA_OPTS").orElse(null),
                notice);
    }
}
