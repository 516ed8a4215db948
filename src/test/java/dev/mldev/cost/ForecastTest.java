package dev.mldev.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.MldevException;
import dev.mldev.deploy.vertex.VertexForecast;
import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The forecast arithmetic, worked by hand in the comments. */
class ForecastTest {
    /** One g2-standard-8 + L4 node on Vertex AI with the test table: (0.30 + 0.50) x 1.15 = $0.92/h. */
    private final NodePrice node =
            new NodePricer(TestPrices.table()).price("us-central1", "g2-standard-8", "NVIDIA_L4", 1);

    @Test
    void nodePriceIsMachinePlusGpuTimesMarkup() {
        assertThat(node.perHour()).isEqualByComparingTo("0.92");
    }

    @Test
    void scaleToZeroWithDefaultPeriods() {
        // awake window = max(1h, 1h) = 1h -> a wake costs 0.92 x 1 node x 1h = 0.92
        // best: 10 requests in one window = 0.92; worst: 10 wakes = 9.20 (< 24 x 0.92 = 22.08)
        Forecast f = Forecast.endpoint(node, 0, 1, Duration.ofHours(1), Duration.ofHours(1), 10);
        assertThat(f.idleCostPerHour()).isEqualByComparingTo("0");
        assertThat(f.costPerWake()).isEqualByComparingTo("0.92");
        assertThat(f.dailyCostBest()).isEqualByComparingTo("0.92");
        assertThat(f.dailyCostWorst()).isEqualByComparingTo("9.20");
    }

    @Test
    void worstCaseIsCappedAtWarmAllDay() {
        // 30 wakes x 0.92 = 27.60 would exceed a whole day warm: 24 x 0.92 = 22.08
        Forecast f = Forecast.endpoint(node, 0, 1, Duration.ofHours(1), Duration.ofHours(1), 30);
        assertThat(f.dailyCostWorst()).isEqualByComparingTo("22.08");
        assertThat(f.dailyCostBest()).isEqualByComparingTo("0.92");
    }

    @Test
    void awakeWindowIsTheLongerOfMinScaleupAndIdleScaledown() {
        // min scale-up 5m, idle scale-down 15m -> 15m = 0.25h; 2 nodes: 0.92 x 2 x 0.25 = 0.46 per wake
        // worst for 10 requests: 4.60
        Forecast f = Forecast.endpoint(node, 0, 2, Duration.ofMinutes(5), Duration.ofMinutes(15), 10);
        assertThat(f.costPerWake()).isEqualByComparingTo("0.46");
        assertThat(f.dailyCostWorst()).isEqualByComparingTo("4.60");
        // min scale-up 2h dominates a 20m idle period: 0.92 x 2h = 1.84
        Forecast g = Forecast.endpoint(node, 0, 1, Duration.ofHours(2), Duration.ofMinutes(20), 1);
        assertThat(g.costPerWake()).isEqualByComparingTo("1.84");
        assertThat(g.dailyCostBest()).isEqualByComparingTo("1.84");
        assertThat(g.dailyCostWorst()).isEqualByComparingTo("1.84");
    }

    @Test
    void noRequestsCostNothingScaledToZero() {
        Forecast f = Forecast.endpoint(node, 0, 1, Duration.ofHours(1), Duration.ofHours(1), 0);
        assertThat(f.dailyCostBest()).isEqualByComparingTo("0");
        assertThat(f.dailyCostWorst()).isEqualByComparingTo("0");
    }

    @Test
    void minReplicasOneBillsAllDayWhateverTheTraffic() {
        // 0.92 x 1 = 0.92 per hour idle; 24 x 0.92 = 22.08 a day, best and worst alike
        Forecast f = Forecast.endpoint(node, 1, 1, Duration.ofHours(1), Duration.ofHours(1), 10);
        assertThat(f.idleCostPerHour()).isEqualByComparingTo("0.92");
        assertThat(f.costPerWake()).isEqualByComparingTo("0");
        assertThat(f.dailyCostBest()).isEqualByComparingTo("22.08");
        assertThat(f.dailyCostWorst()).isEqualByComparingTo("22.08");
    }

    @Test
    void pipelineRunsCostTheirRunTimeAndTheRunFeeEach() {
        // 10 minutes at 0.92/h = 0.92 / 6 = 0.15333..., plus the $0.03 Pipelines fee; 10 runs = 1.8333...
        Forecast f = Forecast.perRun(node, Duration.ofMinutes(10), VertexForecast.PIPELINE_RUN_FEE, 10);
        assertThat(f.costPerWake()).isEqualByComparingTo("0.1833333333");
        assertThat(f.toJson().get("cost_per_wake_usd").decimalValue()).isEqualByComparingTo("0.183333");
        assertThat(f.toJson().get("daily_cost_usd_worst").decimalValue()).isEqualByComparingTo("1.833333");
        assertThat(f.notes()).anyMatch(n -> n.contains("Vertex AI Pipelines fee of $0.03 per run"));
        assertThat(f.idleCostPerHour()).isEqualByComparingTo("0");
    }

    @Test
    void jsonHasTheDocumentedFields() {
        var json = Forecast.endpoint(node, 0, 1, Duration.ofHours(1), Duration.ofHours(1), 10)
                .toJson();
        assertThat(json.get("idle_cost_per_hour_usd").decimalValue()).isEqualByComparingTo("0");
        assertThat(json.get("cost_per_wake_usd").decimalValue()).isEqualByComparingTo("0.92");
        assertThat(json.get("daily_cost_usd_best").decimalValue()).isEqualByComparingTo("0.92");
        assertThat(json.get("daily_cost_usd_worst").decimalValue()).isEqualByComparingTo("9.2");
        assertThat(json.get("requests_per_day").asInt()).isEqualTo(10);
    }

    @Test
    void unknownNodePriceGivesUnknownCostsNotZero() {
        NodePrice unknown = new NodePricer(TestPrices.table()).price("us-central1", "x9-huge-1", null, 0);
        Forecast f = Forecast.endpoint(unknown, 0, 1, Duration.ofHours(1), Duration.ofHours(1), 10);
        assertThat(f.costPerWake()).isNull();
        assertThat(f.dailyCostWorst()).isNull();
        assertThat(f.toJson().get("cost_per_wake_usd").isNull()).isTrue();
        assertThat(f.lines()).anyMatch(l -> l.contains("unknown (no price for machine type x9-huge-1 in us-central1)"));
    }

    @Test
    void negativeTrafficIsAUsageError() {
        assertThatThrownBy(() -> Forecast.endpoint(node, 0, 1, Duration.ofHours(1), Duration.ofHours(1), -1))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining("--requests-per-day");
    }

    @Test
    void moneyIsShownToTheCentOrFiner() {
        assertThat(Usd.format(new BigDecimal("0.92"))).isEqualTo("$0.92");
        assertThat(Usd.format(new BigDecimal("1324.8"))).isEqualTo("$1324.80");
        assertThat(Usd.format(new BigDecimal("0.000255"))).isEqualTo("$0.00026");
        assertThat(Usd.format(BigDecimal.ZERO)).isEqualTo("$0");
        assertThat(Usd.json(new BigDecimal("0.98090285"))).isEqualByComparingTo("0.980903");
    }
}
