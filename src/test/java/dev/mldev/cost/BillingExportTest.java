package dev.mldev.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.cost.billing.ActualSpend;
import dev.mldev.cost.billing.BillingExport;
import dev.mldev.fake.bigquery.FakeBigQuery;
import dev.mldev.testing.CliRun;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Actual spend from a billing export, through the real BigQuery client against a loopback fake. */
class BillingExportTest {
    static final String TABLE = "billing-admin.billing_export.gcp_billing_export_v1_0123";
    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @TempDir
    Path home;

    FakeBigQuery bigQuery;

    @BeforeEach
    void start() throws Exception {
        bigQuery = new FakeBigQuery(TABLE);
        bigQuery.add(new FakeBigQuery.ExportRow(
                "my-project", "Vertex AI", Instant.parse("2026-11-20T10:00:00Z"), "12.50", "-2.50"));
        bigQuery.add(new FakeBigQuery.ExportRow(
                "my-project", "Vertex AI", Instant.parse("2026-11-27T10:00:00Z"), "5.25", "0"));
        bigQuery.add(new FakeBigQuery.ExportRow(
                "my-project", "Cloud Storage", Instant.parse("2026-11-27T10:00:00Z"), "0.40", "0"));
        // too old, and another project: not counted
        bigQuery.add(new FakeBigQuery.ExportRow(
                "my-project", "Vertex AI", Instant.parse("2026-10-01T10:00:00Z"), "99", "0"));
        bigQuery.add(new FakeBigQuery.ExportRow(
                "other-project", "Vertex AI", Instant.parse("2026-11-27T10:00:00Z"), "77", "0"));
    }

    @AfterEach
    void stop() {
        bigQuery.close();
    }

    private BillingExport export() {
        return BillingExport.connect(
                new Environment(Map.of(BillingExport.ENDPOINT_OVERRIDE, bigQuery.url()), home),
                TABLE,
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void spendPerServiceOverTheLastThirtyDaysNetOfCredits() {
        ActualSpend spend = export().spend(TABLE, "my-project");
        // Vertex AI: 12.50 - 2.50 + 5.25 = 15.25; Cloud Storage 0.40
        assertThat(spend.services())
                .extracting(ActualSpend.ServiceSpend::service)
                .containsExactly("Vertex AI", "Cloud Storage");
        assertThat(spend.services().get(0).cost()).isEqualByComparingTo("15.25");
        assertThat(spend.total()).isEqualByComparingTo("15.65");
        assertThat(spend.since()).isEqualTo(Instant.parse("2026-10-29T12:00:00Z"));
        assertThat(spend.currency()).isEqualTo("USD");
        assertThat(bigQuery.queries()).singleElement().satisfies(q -> {
            assertThat(q.path("useLegacySql").asBoolean()).isFalse();
            assertThat(q.path("query").asText())
                    .contains("FROM `" + TABLE + "`")
                    .contains("@project");
        });
    }

    @Test
    void aMissingTableIsARemoteError() {
        assertThatThrownBy(() -> export().spend("billing-admin.billing_export.nope", "my-project"))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining("cannot read the billing export billing-admin.billing_export.nope")
                .hasMessageContaining("Not found: Table");
    }

    @Test
    void statusShowsActualSpendNextToTheIdleCost() throws Exception {
        Map<String, String> env = Map.of(BillingExport.ENDPOINT_OVERRIDE, bigQuery.url());
        CliRun json = CliRun.run(home, env, "status", "--json", "--project", "my-project", "--billing-table", TABLE);
        assertThat(json.exitCode).as(json.toString()).isZero();
        JsonNode spend = new ObjectMapper().readTree(json.out).get("actual_spend");
        assertThat(spend.get("table").asText()).isEqualTo(TABLE);
        assertThat(spend.get("total").decimalValue()).isEqualByComparingTo("15.65");
        assertThat(spend.get("by_service").get(0).get("service").asText()).isEqualTo("Vertex AI");
        assertThat(spend.get("by_service").get(0).get("cost").decimalValue()).isEqualByComparingTo("15.25");

        CliRun text = CliRun.run(
                home,
                Map.of(BillingExport.ENDPOINT_OVERRIDE, bigQuery.url(), "MLDEV_PROJECT", "my-project"),
                "status",
                "--billing-table",
                TABLE);
        assertThat(text.out.lines().toList().get(text.out.lines().toList().size() - 1))
                .matches(
                        "# spent since \\d{4}-\\d{2}-\\d{2}: \\$15\\.65 \\(Vertex AI \\$15\\.25, Cloud Storage \\$0\\.40\\),"
                                + " from the billing export " + java.util.regex.Pattern.quote(TABLE));
    }

    @Test
    void billingTableWithoutProjectIsAUsageError() {
        CliRun run = CliRun.run(
                home, Map.of(BillingExport.ENDPOINT_OVERRIDE, bigQuery.url()), "status", "--billing-table", TABLE);
        assertThat(run.exitCode).isEqualTo(dev.mldev.cli.ExitCodes.USAGE);
        assertThat(run.err).startsWith("mldev: --billing-table needs the project whose spend to show");
        assertThat(bigQuery.queries()).isEmpty();
    }

    @Test
    void anEndpointOverrideThatIsNoUrlIsAUsageError() {
        assertThatThrownBy(() -> BillingExport.connect(
                        new Environment(Map.of(BillingExport.ENDPOINT_OVERRIDE, "localhost:9050"), home),
                        TABLE,
                        Clock.fixed(NOW, ZoneOffset.UTC)))
                .isInstanceOf(MldevException.class)
                .hasMessage(BillingExport.ENDPOINT_OVERRIDE + " is not a URL: localhost:9050")
                .extracting(e -> ((MldevException) e).kind())
                .isEqualTo(MldevException.Kind.USAGE);
        assertThat(bigQuery.queries()).isEmpty();
    }

    @Test
    void tableNamesAreCheckedBeforeAnyQuery() {
        assertThatThrownBy(() -> BillingExport.checkTable("dataset.table"))
                .hasMessageContaining("is not a BigQuery table name like PROJECT.DATASET.TABLE");
        assertThatThrownBy(() -> BillingExport.checkTable("p-roject1.d.t` WHERE 1=1 --"))
                .isInstanceOf(MldevException.class);
        assertThat(bigQuery.queries()).isEmpty();
    }
}
