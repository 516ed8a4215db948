package dev.mldev.cost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pins the {@code status --json} schema 1 document: names, types and values. */
class IdleCostJsonTest {
    private final IdleCosts costs = new IdleCosts(TestPrices.table(), Clock.fixed(TestPrices.NOW, ZoneOffset.UTC));

    @Test
    void documentShape() throws Exception {
        IdleCostReport report = costs.report(
                List.of(TestPrices.warmEndpoint(), TestPrices.scaleToZeroEndpoint(), TestPrices.unknownMachine()));
        JsonNode json = new ObjectMapper().readTree(IdleCostJson.write(report, report.gate(new BigDecimal("0.5"))));

        assertThat(json.get("schema").asInt()).isEqualTo(1);
        assertThat(json.get("generated_at").asText()).isEqualTo("2026-11-28T12:00:00Z");
        assertThat(json.get("prices_as_of").asText()).isEqualTo("2026-11-01");
        assertThat(json.get("prices_source").asText()).isEqualTo("test");
        assertThat(json.get("total_idle_cost_per_hour_usd").decimalValue()).isEqualByComparingTo("0.92");
        assertThat(json.get("total_idle_cost_per_30_days_usd").decimalValue()).isEqualByComparingTo("662.4");
        assertThat(json.get("unknown_idle_cost")).extracting(JsonNode::asText).containsExactly("mystery");
        assertThat(json.get("gate").get("passed").asBoolean()).isFalse();
        assertThat(json.get("gate").get("max_idle_cost_per_hour_usd").decimalValue())
                .isEqualByComparingTo("0.5");
        assertThat(json.get("gate").get("offenders"))
                .extracting(JsonNode::asText)
                .containsExactly("always-on", "mystery");

        JsonNode warm = json.get("deployments").get(0);
        assertThat(fieldNames(warm))
                .containsExactly(
                        "name",
                        "target",
                        "kind",
                        "state",
                        "replicas",
                        "idle_cost_per_hour_usd",
                        "awake_cost_per_hour_usd",
                        "reason",
                        "region",
                        "machine_type",
                        "accelerator_type",
                        "accelerator_count",
                        "min_replicas",
                        "max_replicas",
                        "scale_to_zero_idle_seconds",
                        "idle_since",
                        "url",
                        "requests_served");
        assertThat(warm.get("name").asText()).isEqualTo("always-on");
        assertThat(warm.get("target").asText()).isEqualTo("vertex");
        assertThat(warm.get("kind").asText()).isEqualTo("endpoint");
        assertThat(warm.get("state").asText()).isEqualTo("warm");
        assertThat(warm.get("replicas").asInt()).isEqualTo(1);
        assertThat(warm.get("idle_cost_per_hour_usd").isNumber()).isTrue();
        assertThat(warm.get("idle_cost_per_hour_usd").decimalValue()).isEqualByComparingTo("0.92");
        assertThat(warm.get("reason").asText()).isEqualTo("min replicas 1: never scales to zero");
        assertThat(warm.get("idle_since").asText()).isEqualTo("2026-11-28T09:30:00Z");

        JsonNode sleepy = json.get("deployments").get(1);
        assertThat(sleepy.get("state").asText()).isEqualTo("zero");
        assertThat(sleepy.get("idle_cost_per_hour_usd").decimalValue()).isEqualByComparingTo("0");
        assertThat(sleepy.get("accelerator_type").asText()).isEqualTo("NVIDIA_L4");
        assertThat(sleepy.get("scale_to_zero_idle_seconds").asLong()).isEqualTo(3600);

        JsonNode mystery = json.get("deployments").get(2);
        assertThat(mystery.get("idle_cost_per_hour_usd").isNull()).isTrue();
        assertThat(mystery.get("awake_cost_per_hour_usd").isNull()).isTrue();
    }

    @Test
    void noGateObjectWithoutALimit() throws Exception {
        IdleCostReport report = costs.report(List.of(TestPrices.local()));
        JsonNode json = new ObjectMapper().readTree(IdleCostJson.write(report, null));
        assertThat(json.has("gate")).isFalse();
        assertThat(json.get("total_idle_cost_per_hour_usd").asText()).isEqualTo("0");
    }

    @Test
    void textCellsForPeopleAndForPipes() {
        IdleCostReport report = costs.report(List.of(TestPrices.warmEndpoint(), TestPrices.unknownMachine()));
        assertThat(IdleCostText.rows(report, false))
                .containsExactly(
                        List.of(
                                "always-on",
                                "vertex",
                                "warm",
                                "1",
                                "2h30m",
                                "-",
                                "0.92",
                                "0.92",
                                "-",
                                "min replicas 1: never scales to zero"),
                        List.of(
                                "mystery",
                                "vertex",
                                "warm",
                                "2",
                                "-",
                                "-",
                                "unknown",
                                "unknown",
                                "-",
                                "min replicas 2: never scales to zero; price unknown: no price for machine type x9-huge-1"
                                        + " in us-central1"));
        assertThat(IdleCostText.rows(report, true).get(0)).contains("$0.92");
        assertThat(IdleCostText.totals(report))
                .isEqualTo("total idle $0.92/h, $662.40 per 30 days"
                        + " (plus 1 with unknown prices); prices as of 2026-11-01 (test)");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
