package dev.mldev.cli;

import dev.mldev.MldevException;
import dev.mldev.deploy.DeploymentRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "undeploy", description = {"Stop a deployment and remove what it runs. Asks first on a TTY; needs --yes otherwise."})
final class UndeployCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The deployment (see 'mldev status').")
    String name;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    @Option(names = "--purge", description = "Also delete what the deployment stored (models, uploaded bundles).")
    boolean purge;

    @Override
    public Integer call() {
        DeploymentRecord record = Targets.store(env()).resolve(name);
        if (!yes) {
            if (!terminal().interactive()) {
                throw MldevException.usage("undeploy " + name + " needs confirmation", "add --yes to confirm without a TTY");
            }
            if (!terminal().confirm(err(), "undeploy " + name + " (" + record.target() + ", " + record.url() + ")?")) {
                notice("nothing undeployed");
                return 1;
            }
        }
        Targets.of(record.target(), env()).undeploy(record, purge, terminal().progress(err()));
        out().println("undeployed " + name);
        return 0;
    }
}
