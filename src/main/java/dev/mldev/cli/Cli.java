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
        // picocli would otherwise look up converters for java.sql and java.time types by reflection at every
        // start; mldev's options use none of them (Duration has its own converter, registered below)
        System.setProperty("picocli.converters.excludes", "java\\.sql\\..*,java\\.time\\..*");
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            org.jline.jansi.AnsiConsole.systemInstall();
        }
        Environment env = Environment.system();
        RawArgs raw = new RawArgs(args);
        EarlyModel.start(raw, env);
        Preload.start(raw);
        int exitCode = commandLine(env, Terminal.system(env), args).execute(args);
        EarlyModel.discard();
        System.exit(exitCode);
    }

    /** The whole command tree (for --help, completion scripts and tests). */
    public static CommandLine commandLine(Environment env, Terminal terminal) {
        return commandLine(env, terminal, new String[0]);
    }

    /**
     * The root with only the subcommand {@code args} names; with none for {@code --version}; with all of them
     * otherwise (help lists them, and a misspelt name gets suggestions).
     */
    public static CommandLine commandLine(Environment env, Terminal terminal, String[] args) {
        CommandLine cli = new CommandLine(new MldevCommand(env, terminal));
        for (Class<?> subcommand : subcommandsFor(args)) {
            cli.addSubcommand(subcommand);
        }
        cli.setDefaultValueProvider(new ConfigDefaults(env));
        cli.setColorScheme(CommandLine.Help.defaultColorScheme(
                terminal.colour() ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        cli.setExecutionExceptionHandler(Cli::handleExecutionException);
        cli.setExecutionStrategy(new OnnxRuntimeMissing(new CommandLine.RunLast()));
        cli.setParameterExceptionHandler(Cli::handleParameterException);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.registerConverter(java.time.Duration.class, dev.mldev.Durations::parse);
        return cli;
    }

    private static List<Class<?>> subcommandsFor(String[] args) {
        RawArgs raw = new RawArgs(args);
        String named = raw.subcommand();
        if (named == null) {
            return raw.has("--version", "-V") ? List.of() : MldevCommand.SUBCOMMANDS;
        }
        List<Class<?>> chosen = MldevCommand.SUBCOMMANDS.stream()
                .filter(c -> c.getAnnotation(CommandLine.Command.class).name().equals(named)).toList();
        return chosen.isEmpty() ? MldevCommand.SUBCOMMANDS : chosen;
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
        List<String> suggestions = ex instanceof CommandLine.UnmatchedArgumentException unmatched
                ? unmatched.getSuggestions() : List.of();
        err.println("hint: " + (suggestions.isEmpty() ? "" : "did you mean " + String.join(" or ", suggestions) + "? ")
                + "see '" + cli.getCommandSpec().qualifiedName() + " --help'");
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
