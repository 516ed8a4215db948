package dev.mldev.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.DeploymentState;
import dev.mldev.TargetKind;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdleCostsTest {
    private final IdleCosts costs = new IdleCosts(TestPrices.table(), Clock.fixed(TestPrices.NOW, ZoneOffset.UTC));

    @Test
    void endpointWithMinReplicasOneBillsItsNodeEveryHour() {
        IdleCostRow row = costs.row(TestPrices.warmEndpoint());
        // (g2-standard-8 0.30 + 1 x L4 0.50) x markup 1.15 = 0.92
        assertThat(row.idleCostPerHour()).isEqualByComparingTo("0.92");
        assertThat(row.awakeCostPerHour()).isEqualByComparingTo("0.92");
        assertThat(row.reason()).isEqualTo("min replicas 1: never scales to zero");
        assertThat(row.billsWhenIdle()).isTrue();
    }

    @Test
    void twoMinReplicasBillTwoNodes() {
        Billable two = Billable.builder("pair", TargetKind.VERTEX, Billable.Kind.ENDPOINT, DeploymentState.WARM)
                .region("us-central1")
                .machine("n1-standard-4", "NVIDIA_TESLA_T4", 2)
                .replicas(2, 4)
                .build();
        // (0.20 + 2 x 0.35) x 1.15 = 1.035 per node, x 2 nodes = 2.07
        assertThat(costs.row(two).idleCostPerHour()).isEqualByComparingTo("2.07");
        assertThat(costs.row(two).reason()).isEqualTo("min replicas 2: never scales to zero");
    }

    @Test
    void scaleToZeroEndpointBillsNothingIdle() {
        IdleCostRow row = costs.row(TestPrices.scaleToZeroEndpoint());
        assertThat(row.idleCostPerHour()).isEqualByComparingTo("0");
        assertThat(row.awakeCostPerHour()).isEqualByComparingTo("0.92");
        assertThat(row.reason()).isEqualTo("scale-to-zero after 1h idle");
        assertThat(row.billsWhenIdle()).isFalse();
    }

    @Test
    void runningPipelineJobBillsItsGpuWhateverTheTraffic() {
        IdleCostRow row = costs.row(TestPrices.runningPipeline());
        assertThat(row.idleCostPerHour()).isEqualByComparingTo("0.92");
        assertThat(row.reason()).isEqualTo("pipeline job running on 1 x NVIDIA_L4");
    }

    @Test
    void unknownMachineTypeIsUnknownNeverZero() {
        IdleCostRow row = costs.row(TestPrices.unknownMachine());
        assertThat(row.idleCostPerHour()).isNull();
        assertThat(row.awakeCostPerHour()).isNull();
        assertThat(row.reason())
                .isEqualTo("min replicas 2: never scales to zero; "
                        + "price unknown: no price for machine type x9-huge-1 in us-central1");
        assertThat(Usd.perHour(row.idleCostPerHour())).isEqualTo("unknown");
        assertThat(row.billsWhenIdle()).isTrue();
    }

    @Test
    void unknownRegionAndAcceleratorAreUnknownToo() {
        Billable elsewhere = Billable.builder("far", TargetKind.VERTEX, Billable.Kind.ENDPOINT, DeploymentState.WARM)
                .region("antarctica-south1")
                .machine("g2-standard-8", "NVIDIA_L4", 1)
                .replicas(1, 1)
                .build();
        Billable oddGpu = Billable.builder("odd", TargetKind.VERTEX, Billable.Kind.ENDPOINT, DeploymentState.WARM)
                .region("us-central1")
                .machine("g2-standard-8", "NVIDIA_B999", 1)
                .replicas(1, 1)
                .build();
        assertThat(costs.row(elsewhere).reason()).endsWith("price unknown: no prices for region antarctica-south1");
        assertThat(costs.row(oddGpu).reason())
                .endsWith("price unknown: no price for accelerator NVIDIA_B999 in us-central1");
        assertThat(costs.row(oddGpu).idleCostPerHour()).isNull();
    }

    @Test
    void scaleToZeroWithUnknownPriceStillIdlesAtZero() {
        Billable b = Billable.builder("z", TargetKind.VERTEX, Billable.Kind.ENDPOINT, DeploymentState.ZERO)
                .region("us-central1")
                .machine("x9-huge-1", null, 0)
                .replicas(0, 1)
                .build();
        IdleCostRow row = costs.row(b);
        assertThat(row.idleCostPerHour()).isEqualByComparingTo("0");
        assertThat(row.awakeCostPerHour()).isNull();
    }

    @Test
    void localDeploymentsAndFinishedJobsCostNothing() {
        assertThat(costs.row(TestPrices.local()).idleCostPerHour()).isEqualByComparingTo("0");
        Billable done = Billable.builder(
                        "old-run", TargetKind.VERTEX_PIPELINE, Billable.Kind.PIPELINE_JOB, DeploymentState.DOWN)
                .region("us-central1")
                .machine("g2-standard-8", "NVIDIA_L4", 1)
                .build();
        assertThat(costs.row(done).idleCostPerHour()).isEqualByComparingTo("0");
        assertThat(costs.row(done).reason()).isEqualTo("pipeline job not running: bills nothing");
    }

    @Test
    void totalsAddKnownIdleCostsAndListUnknownOnes() {
        IdleCostReport report = costs.report(List.of(
                TestPrices.warmEndpoint(),
                TestPrices.scaleToZeroEndpoint(),
                TestPrices.runningPipeline(),
                TestPrices.unknownMachine(),
                TestPrices.local()));
        assertThat(report.totalIdleCostPerHour()).isEqualByComparingTo("1.84");
        // 1.84 x 24 x 30 = 1324.80
        assertThat(report.totalIdleCostPer30Days()).isEqualByComparingTo("1324.80");
        assertThat(report.unknownIdleCost())
                .extracting(r -> r.billable().name())
                .containsExactly("mystery");
    }

    @Test
    void gateFailsOverTheLimitAndNamesTheOffenders() {
        IdleCostReport report = costs.report(
                List.of(TestPrices.warmEndpoint(), TestPrices.scaleToZeroEndpoint(), TestPrices.runningPipeline()));
        IdleCostReport.Verdict over = report.gate(new BigDecimal("1.00"));
        assertThat(over.passed()).isFalse();
        assertThat(over.offenders()).extracting(r -> r.billable().name()).containsExactly("always-on", "ocr-run-42");
        assertThat(over.summary())
                .isEqualTo("idle cost $1.84/h exceeds --max-idle-cost $1.00/h: "
                        + "always-on ($0.92/h), ocr-run-42 ($0.92/h)");
        assertThat(report.gate(new BigDecimal("1.84")).passed()).isTrue();
        assertThat(report.gate(new BigDecimal("1.83")).passed()).isFalse();
    }

    @Test
    void gateAtZeroPassesOnlyWhenNothingBillsIdle() {
        IdleCostReport quiet = costs.report(List.of(TestPrices.scaleToZeroEndpoint(), TestPrices.local()));
        assertThat(quiet.gate(BigDecimal.ZERO).passed()).isTrue();
        IdleCostReport busy = costs.report(List.of(TestPrices.scaleToZeroEndpoint(), TestPrices.warmEndpoint()));
        assertThat(busy.gate(BigDecimal.ZERO).passed()).isFalse();
    }

    @Test
    void unknownPricesFailTheGateEvenUnderTheLimit() {
        IdleCostReport report = costs.report(List.of(TestPrices.scaleToZeroEndpoint(), TestPrices.unknownMachine()));
        IdleCostReport.Verdict verdict = report.gate(new BigDecimal("1000"));
        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.summary())
                .isEqualTo("idle cost unknown (unknown prices fail the gate), known total $0/h"
                        + " against --max-idle-cost $1000.00/h: mystery (unknown)");
    }
}
