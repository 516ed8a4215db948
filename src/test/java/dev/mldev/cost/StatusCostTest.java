package dev.mldev.cost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mldev.TargetKind;
import dev.mldev.cli.ExitCodes;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.DeploymentStore;
import dev.mldev.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mldev status} with its cost columns, --json and the gate, through the CLI. */
class StatusCostTest {
    @TempDir
    Path home;

    /** A local deployment whose server is gone (no such pid): down, and free. */
    private void recordStoppedLocalDeployment() {
        new DeploymentStore(home.resolve("state/mldev"))
                .save(new DeploymentRecord(
                        "ocr-cls",
                        TargetKind.LOCAL,
                        "/b",
                        "1",
                        "http://127.0.0.1:9",
                        Instant.parse("2026-11-28T10:00:00Z"),
                        Map.of(
                                "pid",
                                Long.toString(Long.MAX_VALUE),
                                "port",
                                "9",
                                "log",
                                home.resolve("x.log").toString())));
    }

    @Test
    void localDeploymentsCostNothingAndPassTheStrictestGate() throws Exception {
        recordStoppedLocalDeployment();
        CliRun run = CliRun.run(home, "status", "--json", "--max-idle-cost", "0");
        assertThat(run.exitCode).as(run.toString()).isEqualTo(ExitCodes.OK);
        JsonNode json = new ObjectMapper().readTree(run.out);
        assertThat(json.get("schema").asInt()).isEqualTo(1);
        assertThat(json.get("prices_source").asText()).isEqualTo("built-in");
        JsonNode entry = json.get("deployments").get(0);
        assertThat(entry.get("name").asText()).isEqualTo("ocr-cls");
        assertThat(entry.get("state").asText()).isEqualTo("down");
        assertThat(entry.get("idle_cost_per_hour_usd").decimalValue()).isEqualByComparingTo("0");
        assertThat(entry.get("reason").asText()).isEqualTo("runs on this machine: no cloud bill");
        assertThat(entry.get("url").asText()).isEqualTo("http://127.0.0.1:9");
        assertThat(json.get("total_idle_cost_per_hour_usd").decimalValue()).isEqualByComparingTo("0");
        assertThat(json.get("gate").get("passed").asBoolean()).isTrue();
        assertThat(run.err).isEqualTo("mldev: idle cost $0/h is within --max-idle-cost $0/h\n");
    }

    @Test
    void pipedTableIsTabSeparatedWithTheTotalsLast() {
        recordStoppedLocalDeployment();
        CliRun run = CliRun.run(home, "status");
        assertThat(run.exitCode).isZero();
        assertThat(run.out.lines().toList()).hasSize(3);
        assertThat(run.out.lines().toList().get(0))
                .isEqualTo("NAME\tTARGET\tSTATE\tREPLICAS\tIDLE\tREQUESTS\tIDLE/H\tAWAKE/H\tURL\tREASON");
        assertThat(run.out.lines().toList().get(1))
                .isEqualTo(
                        "ocr-cls\tlocal\tdown\t0\t-\t-\t0\t0\thttp://127.0.0.1:9\truns on this machine: no cloud bill");
        assertThat(run.out.lines().toList().get(2)).startsWith("# total idle $0/h, $0 per 30 days; prices as of ");
    }

    @Test
    void nothingDeployedPrintsTheHeaderAndTheTotals() {
        CliRun run = CliRun.run(home, "status", "--max-idle-cost", "0");
        assertThat(run.exitCode).isZero();
        assertThat(run.out.lines().toList()).hasSize(2).last().asString().startsWith("# total idle $0/h");
    }

    @Test
    void badGateOrPricesAreUsageErrors() throws Exception {
        CliRun negative = CliRun.run(home, "status", "--max-idle-cost", "-0.5");
        assertThat(negative.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(negative.err).startsWith("mldev: --max-idle-cost must be 0 or more USD per hour, not -0.5");
        CliRun notANumber = CliRun.run(home, "status", "--max-idle-cost", "lots");
        assertThat(notANumber.exitCode).isEqualTo(ExitCodes.USAGE);
        Path prices = Files.writeString(home.resolve("p.json"), "{\"schema\": 2}");
        CliRun badPrices = CliRun.run(home, "status", "--prices", prices.toString());
        assertThat(badPrices.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(badPrices.err).startsWith("mldev: price file " + prices + ": schema 2 is not 1");
    }
}
