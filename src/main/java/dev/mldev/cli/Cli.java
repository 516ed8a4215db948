package dev.mldev.cli;

import dev.mldev.Environment;
import dev.mldev.Failures;
import dev.mldev.MldevException;
import dev.mldev.Problems;
import dev.mldev.bundle.BundleZip;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;

/** The one place a {@link CommandLine} is made: exit codes, error printing and defaults are set here. */
public final class Cli {
    static final int USAGE_WIDTH = 100;

    private Cli() {}

    public static void main(String[] args) {
        // picocli would otherwise look up converters for java.sql and java.time types by reflection at every
        // start; mldev's options use none of them (Duration has its own converter, registered below)
        System.setProperty("picocli.converters.excludes", "java\\.sql\\..*,java\\.time\\..*");
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            org.jline.jansi.AnsiConsole.systemInstall();
        }
        Environment env = Environment.system();
        RawArgs raw = new RawArgs(args);
        BundleZip.sweep(env.cacheDir());
        EarlyModel.start(raw, env);
        Preload.start(raw);
        CommandLine cli = commandLine(env, Terminal.system(env), args);
        cli.setOut(stdout());
        int exitCode = cli.execute(args);
        EarlyModel.discard();
        System.exit(exitCode);
    }

    /**
     * Standard output that remembers a failed write: picocli's default writes through System.out, a PrintStream
     * that swallows write errors, so a full disk or a closed pipe would read as success.
     */
    private static PrintWriter stdout() {
        String encoding = System.getProperty("sun.stdout.encoding");
        return new PrintWriter(
                new OutputStreamWriter(
                        new FileOutputStream(FileDescriptor.out),
                        encoding == null ? Charset.defaultCharset() : Charset.forName(encoding)),
                true);
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
        cli.setExecutionStrategy(new OnnxRuntimeMissing(Cli::executeAndCheckOutput));
        cli.setExecutionExceptionHandler(Cli::handleExecutionException);
        cli.setParameterExceptionHandler(Cli::handleParameterException);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        // wide enough for each command's one-sentence summary on one line; a terminal's own width when there is one
        cli.setUsageHelpWidth(USAGE_WIDTH);
        cli.setUsageHelpLongOptionsMaxWidth(28);
        cli.setUsageHelpAutoWidth(terminal.interactive());
        cli.registerConverter(java.time.Duration.class, dev.mldev.Durations::parse);
        cli.registerConverter(Path.class, new PathConverter());
        return cli;
    }

    private static List<Class<?>> subcommandsFor(String[] args) {
        RawArgs raw = new RawArgs(args);
        String named = raw.subcommand();
        if (named == null) {
            return raw.has("--version", "-V") ? List.of() : MldevCommand.SUBCOMMANDS;
        }
        List<Class<?>> chosen = MldevCommand.SUBCOMMANDS.stream()
                .filter(c -> c.getAnnotation(CommandLine.Command.class).name().equals(named))
                .toList();
        return chosen.isEmpty() ? MldevCommand.SUBCOMMANDS : chosen;
    }

    /** The root command object behind any command of the tree. */
    static MldevCommand root(CommandLine.Model.CommandSpec spec) {
        return (MldevCommand) spec.root().userObject();
    }

    /** Runs the command; a result that could not be written to stdout (a full disk, a closed pipe) fails. */
    private static int executeAndCheckOutput(CommandLine.ParseResult parsed) {
        int exitCode = new CommandLine.RunLast().execute(parsed);
        CommandLine cli = parsed.commandSpec().commandLine();
        PrintWriter out = cli.getOut();
        out.flush();
        if (out.checkError() && exitCode == ExitCodes.OK) {
            PrintWriter err = cli.getErr();
            err.println("mldev: cannot write the output: standard output is full or closed");
            err.println("hint: check the disk or the pipe stdout goes to");
            err.flush();
            return ExitCodes.FAILURE;
        }
        return exitCode;
    }

    private static int handleExecutionException(Exception ex, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        boolean verbose = isVerbose(parsed);
        MldevException known = findMldevException(ex);
        if (known != null) {
            List<MldevException> problems =
                    known instanceof Problems.Several several ? several.problems() : List.of(known);
            for (MldevException problem : problems) {
                err.println("mldev: " + problem.getMessage());
                if (problem.hint() != null) {
                    err.println("hint: " + problem.hint());
                }
            }
            if (verbose) {
                known.printStackTrace(err);
            }
            err.flush();
            return ExitCodes.of(known.kind());
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
        List<String> suggestions =
                ex instanceof CommandLine.UnmatchedArgumentException unmatched ? unmatched.getSuggestions() : List.of();
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
        return message == null ? type : type + ": " + Failures.firstLine(message);
    }

    private static boolean isVerbose(CommandLine.ParseResult parsed) {
        List<String> args = parsed == null ? List.of() : parsed.originalArgs();
        return args.contains("--verbose") || args.contains("-v");
    }
}
