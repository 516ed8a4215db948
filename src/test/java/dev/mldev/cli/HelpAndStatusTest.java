package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.testing.CliRun;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --help that reads well when piped or printed, and status output a script can rely on. */
class HelpAndStatusTest {
    @TempDir
    Path home;

    @Test
    void eachCommandSummaryIsOneWholeLine() {
        CliRun help = CliRun.run(home, "--help");
        assertThat(help.exitCode).as(help.toString()).isZero();
        List<String> lines = help.out.lines().toList();
        int first = lines.indexOf("Commands:") + 1;
        int end = first + MldevCommand.SUBCOMMANDS.size();
        assertThat(lines.subList(first, end))
                .allSatisfy(line -> assertThat(line)
                        .as("a command and its summary, the whole sentence on one line")
                        .matches("  [a-z]+ +[A-Z].*\\.$"));
        assertThat(lines.get(end)).as("nothing wrapped past the last command").isEmpty();
    }

    @Test
    void noHelpLineIsWiderThanTheUsageWidth() {
        for (String command : List.of(
                "package", "predict", "serve", "deploy", "status", "undeploy", "doctor", "completion", "prices")) {
            CliRun help = CliRun.run(home, command, "--help");
            assertThat(help.out.lines())
                    .as(command)
                    .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(Cli.USAGE_WIDTH));
        }
        assertThat(CliRun.run(home, "--help").out)
                .contains("  MLDEV_PROJECT     Google Cloud project (or GOOGLE_CLOUD_PROJECT, "
                        + "CLOUDSDK_CORE_PROJECT)\n");
    }

    @Test
    void statusWithNothingDeployedStillPrintsItsTotals() {
        CliRun status = CliRun.run(home, "status");
        assertThat(status.exitCode).as(status.toString()).isZero();
        assertThat(status.out.lines().toList())
                .last()
                .asString()
                .startsWith("# total idle $0/h, $0 per 30 days; prices as of ");
    }
}
