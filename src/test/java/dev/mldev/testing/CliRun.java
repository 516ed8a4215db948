package dev.mldev.testing;

import dev.mldev.Environment;
import dev.mldev.cli.Cli;
import dev.mldev.cli.Terminal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/** Runs an mldev command in-process with an isolated home and captures exit code, stdout and stderr. */
public final class CliRun {
    public final int exitCode;
    public final String out;
    public final String err;

    private CliRun(int exitCode, String out, String err) {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
    }

    public static CliRun run(Path home, String... args) {
        return run(home, Map.of(), args);
    }

    public static CliRun run(Path home, Map<String, String> variables, String... args) {
        StringWriter out = new StringWriter();
        CliRun run = run(home, variables, out, args);
        return new CliRun(run.exitCode, out.toString(), run.err);
    }

    /** Runs with stdout going to {@code stdout} (e.g. one that fails like a full disk); {@link #out} stays empty. */
    public static CliRun run(Path home, Writer stdout, String... args) {
        return run(home, Map.of(), stdout, args);
    }

    private static CliRun run(Path home, Map<String, String> variables, Writer stdout, String... args) {
        Map<String, String> env = new HashMap<>(variables);
        env.putIfAbsent("XDG_STATE_HOME", home.resolve("state").toString());
        env.putIfAbsent("XDG_CONFIG_HOME", home.resolve("config").toString());
        env.putIfAbsent("XDG_CACHE_HOME", home.resolve("cache").toString());
        CommandLine cli = Cli.commandLine(new Environment(env, home), Terminal.piped(), args);
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new CliRun(code, "", err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
