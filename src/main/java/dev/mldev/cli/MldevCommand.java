package dev.mldev.cli;

import dev.mldev.Environment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

@Command(
        name = "mldev",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Show an ONNX model to the world without paying for an idle GPU.",
        synopsisSubcommandLabel = "COMMAND",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ok",
            "1:failure (bad file, model error, local server down)",
            "2:usage error (bad flag or value)",
            "3:a CI gate tripped (status --max-idle-cost)",
            "4:remote service error (Google Cloud, registry)",
        },
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  NO_COLOR          no colour in output",
            "  MLDEV_PROJECT     Google Cloud project (or GOOGLE_CLOUD_PROJECT, CLOUDSDK_CORE_PROJECT)",
            "  MLDEV_REGION      Google Cloud region",
            "  XDG_STATE_HOME    where deployments are recorded (default ~/.local/state)",
            "  XDG_CONFIG_HOME   where config.properties is read (default ~/.config)",
            "  XDG_CACHE_HOME    where prices and unpacked bundle zips are cached (default ~/.cache)",
        })
public final class MldevCommand implements Runnable {
    /**
     * The subcommands, in the order --help lists them. Not in the annotation: {@link Cli} registers only the
     * one a command line names, so a start does not build every command's model.
     */
    static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(
            PackageCommand.class,
            PredictCommand.class,
            ServeCommand.class,
            DeployCommand.class,
            BatchCommand.class,
            StatusCommand.class,
            UndeployCommand.class,
            DoctorCommand.class,
            CompletionCommand.class,
            ImageCommand.class,
            PricesCommand.class);

    private final Environment env;
    private final Terminal terminal;

    @Option(
            names = {"-v", "--verbose"},
            scope = ScopeType.INHERIT,
            description = "Print stack traces and extra detail on errors.")
    boolean verbose;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    MldevCommand(Environment env, Terminal terminal) {
        this.env = env;
        this.terminal = terminal;
    }

    public Environment env() {
        return env;
    }

    public Terminal terminal() {
        return terminal;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "no command given");
    }
}
