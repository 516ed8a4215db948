package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed docs/cli.md is what the commands generate now. After changing a command, regenerate it:
 * mvn -q test -Dtest=CliReferenceTest -Dmldev.updateCliReference=true
 */
class CliReferenceTest {
    private static final Path COMMITTED = Path.of("docs", "cli.md");

    @Test
    void committedReferenceMatchesTheCommands() throws IOException {
        String generated = CliReference.markdown();
        if (Boolean.getBoolean("mldev.updateCliReference")) {
            Files.writeString(COMMITTED, generated);
        }
        assertThat(COMMITTED)
                .as("regenerate with -Dmldev.updateCliReference=true")
                .exists();
        assertThat(Files.readString(COMMITTED))
                .as("docs/cli.md is stale: mvn -q test -Dtest=CliReferenceTest -Dmldev.updateCliReference=true")
                .isEqualTo(generated);
    }

    @Test
    void everyCommandAndSubcommandHasASectionWithItsOptions() {
        String reference = CliReference.markdown();

        for (String command : new String[] {
            "package",
            "predict",
            "serve",
            "deploy",
            "status",
            "undeploy",
            "doctor",
            "completion",
            "image",
            "image push",
            "prices",
            "prices show",
            "prices refresh"
        }) {
            assertThat(reference)
                    .contains("\n## mldev " + command + "\n")
                    .contains("(#mldev-" + command.replace(' ', '-') + ")");
        }
        assertThat(reference)
                .contains("--max-idle-cost")
                .contains("--idle-unload")
                .contains("--insecure-registry")
                .contains("Exit codes:");
    }
}
