package dev.mldev.cli;

import dev.mldev.Environment;
import dev.mldev.ExitCodes;
import dev.mldev.MldevException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;

/** The one place a {@link CommandLine} is made: exit codes, error printing and defaults are set here. */
public final class Cli {
    private Cli() {
    }

    public static void main(String[] args) {
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            org.jline.jansi.AnsiConsole.systemInstall();
        }
        System.exit(commandLine(Environment.system(), Terminal.system(Environment.system())).execute(args));
    }

    public static CommandLine commandLine(Environment env, Terminal terminal) {
        CommandLine cli = new CommandLine(new MldevCommand(env, terminal));
        cli.setDefaultValueProvider(new ConfigDefaults(env));
        cli.setColorScheme(CommandLine.Help.defaultColorScheme(
                terminal.colour() ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        cli.setExecutionExceptionHandler(Cli::handleExecutionException);
        cli.setParameterExceptionHandler(Cli::handleParameterException);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.registerConverter(java.time.Duration.class, dev.mldev.Durations::parse);
        return cli;
    }

    /** The root command object behind any command of the tree. */
    static MldevCommand root(CommandLine.Model.CommandSpec spec) {
        return (MldevCommand) spec.root().userObject();
    }

    private static int handleExecutionException(Exception ex, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        boolean verbose = isVerbose(parsed);
        MldevException known = findMldevException(ex);
        if (known != null) {
            err.println("mldev: " + known.getMessage());
            if (known.hint() != null) {
                err.println("hint: " + known.hint());
            }
            if (verbose) {
                known.printStackTrace(err);
            }
            err.flush();
            return known.exitCode();
        }
        err.println("mldev: " + describe(ex));
        if (verbose) {
            ex.printStackTrace(err);
        } else {
            err.println("hint: run again with --verbose for the stack trace");
        }
        err.flush();
        return ExitCodes.FAILURE;
    }

    private static int handleParameterException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cli = ex.getCommandLine();
        PrintWriter err = cli.getErr();
        err.println("mldev: " + ex.getMessage());
        err.println("hint: see '" + cli.getCommandSpec().qualifiedName() + " --help'");
        err.flush();
        return ExitCodes.USAGE;
    }

    private static MldevException findMldevException(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof MldevException known) {
                return known;
            }
        }
        return null;
    }

    private static String describe(Throwable ex) {
        String message = ex.getMessage();
        String type = ex.getClass().getSimpleName();
        return message == null ? type : type + ": " + message.lines().findFirst().orElse("");
    }

    private static boolean isVerbose(CommandLine.ParseResult parsed) {
        List<String> args = parsed == null ? List.of() : parsed.originalArgs();
        return args.contains("--verbose") || args.contains("-v");
    }
}
