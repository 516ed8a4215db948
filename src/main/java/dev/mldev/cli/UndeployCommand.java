package dev.mldev.cli;

import dev.mldev.MldevException;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.UnreadableRecord;
import dev.mldev.deploy.vertex.VertexTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "undeploy",
        description = {"Stop a deployment and remove what it runs. Asks first on a TTY; needs --yes otherwise."})
final class UndeployCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The deployment (see 'mldev status').")
    String name;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    @Option(names = "--purge", description = "Also delete what the deployment stored (models, uploaded bundles).")
    boolean purge;

    @Override
    public Integer call() {
        DeploymentRecord record;
        try {
            record = Targets.store(env()).resolve(name);
        } catch (UnreadableRecord unreadable) {
            return undeployUnreadable(unreadable);
        }
        if (!confirmed(name + " (" + record.target() + ", " + record.url() + ")")) {
            return 1;
        }
        Targets.of(record.target(), env(), VertexTarget.DEFAULT_WAKE_TIMEOUT, this::notice, q -> true)
                .undeploy(record, purge, terminal().progress(err()));
        out().println("undeployed " + name);
        return 0;
    }

    /** Its target is unknown: stop the local servers that carry its marker, and remove the record. */
    private int undeployUnreadable(UnreadableRecord unreadable) {
        notice(unreadable.getMessage());
        if (!confirmed(name + " (record unreadable)")) {
            return 1;
        }
        int stopped = Targets.local(env(), this::notice)
                .undeployUnreadable(name, terminal().progress(err()));
        if (stopped == 0) {
            notice("no local server of " + name + " was running; if it was on Vertex AI, 'mldev status --target vertex'"
                    + " lists what still runs there");
        }
        out().println("undeployed " + name
                + (stopped > 0 ? " (stopped " + stopped + " local server" + (stopped > 1 ? "s" : "") + ")" : ""));
        return 0;
    }

    private boolean confirmed(String what) {
        if (yes) {
            return true;
        }
        if (!terminal().interactive()) {
            throw MldevException.usage(
                    "undeploy " + name + " needs confirmation", "add --yes to confirm without a TTY");
        }
        if (!terminal().confirm(err(), "undeploy " + what + "?")) {
            notice("nothing undeployed");
            return false;
        }
        return true;
    }
}
