package dev.mldev.cli;

import dev.mldev.Environment;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * docs/cli.md: every command's --help, generated from the picocli model that parses the command line, so the
 * reference cannot describe an option that does not exist. {@link CliReferenceTest} keeps the committed page current.
 */
final class CliReference {
    /** Fixed, so the page does not change with the terminal that generates it. */
    private static final int WIDTH = 100;

    private CliReference() {}

    static String markdown() {
        // no environment and no config file: the help shows the built-in defaults, not this machine's
        CommandLine root = Cli.commandLine(new Environment(Map.of(), Path.of("/nonexistent")), Terminal.piped());
        root.setUsageHelpWidth(WIDTH);
        StringBuilder index = new StringBuilder();
        StringBuilder sections = new StringBuilder();
        append(root, index, sections);
        return """
                # Command-line reference

                Generated from the commands themselves (their picocli model); do not edit by hand. After changing a
                command, regenerate it: `mvn -q test -Dtest=CliReferenceTest -Dmldev.updateCliReference=true`.
                Configuration files and environment variables that supply defaults: [configuration](configuration.md).

                """ + index + sections;
    }

    private static void append(CommandLine command, StringBuilder index, StringBuilder sections) {
        String name = command.getCommandSpec().qualifiedName();
        int depth = name.split(" ").length - 1;
        index.append("  ".repeat(depth))
                .append("- [")
                .append(name)
                .append("](#")
                .append(name.replace(' ', '-'))
                .append(")\n");
        sections.append("\n## ")
                .append(name)
                .append("\n\n```text\n")
                .append(withoutTrailingSpaces(command.getUsageMessage(CommandLine.Help.Ansi.OFF)))
                .append("```\n");
        command.getSubcommands().values().stream().distinct().forEach(sub -> append(sub, index, sections));
    }

    private static String withoutTrailingSpaces(String text) {
        return text.lines().map(String::stripTrailing).collect(Collectors.joining("\n", "", "\n"));
    }
}
