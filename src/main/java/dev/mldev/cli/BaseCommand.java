package dev.mldev.cli;

import dev.mldev.Environment;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command uses: its output streams, the environment, the terminal and --verbose; and --help. */
@Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class)
abstract class BaseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    Environment env() {
        return Cli.root(spec).env();
    }

    Terminal terminal() {
        return Cli.root(spec).terminal();
    }

    boolean verbose() {
        return Cli.root(spec).verbose;
    }

    /** A one-line message on stderr, e.g. a notice that the CPU is used. */
    void notice(String message) {
        err().println("mldev: " + message);
        err().flush();
    }
}
