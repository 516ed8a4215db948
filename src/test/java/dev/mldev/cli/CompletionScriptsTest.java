package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.Environment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * The committed scripts under completions/ are what the commands generate now. After changing a command,
 * regenerate them: mvn -q test -Dtest=CompletionScriptsTest -Dmldev.updateCompletions=true
 */
class CompletionScriptsTest {
    @ParameterizedTest
    @EnumSource(CompletionCommand.Shell.class)
    void committedScriptMatchesTheCommands(CompletionCommand.Shell shell) throws IOException {
        CommandLine cli = Cli.commandLine(new Environment(Map.of(), Path.of("/nonexistent")), Terminal.piped());
        String generated = CompletionCommand.script(shell, cli);
        Path committed = Path.of("completions", "mldev." + shell);
        if (Boolean.getBoolean("mldev.updateCompletions")) {
            Files.createDirectories(committed.getParent());
            Files.writeString(committed, generated);
        }
        assertThat(committed)
                .as("regenerate with -Dmldev.updateCompletions=true")
                .exists();
        assertThat(Files.readString(committed))
                .as(
                        "completions/mldev.%s is stale: mvn -q test -Dtest=CompletionScriptsTest -Dmldev.updateCompletions=true",
                        shell)
                .isEqualTo(generated);
        assertThat(generated).contains("package").contains("predict").contains("device");
    }
}
