package dev.mldev.cost;

import dev.mldev.DeploymentState;
import dev.mldev.TargetKind;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** A small price table with round numbers, so the tests can do the arithmetic by hand, and the billables. */
public final class TestPrices {
    public static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private TestPrices() {}

    /** us-central1: g2-standard-8 $0.30, L4 $0.50, n1-standard-4 $0.20, T4 $0.35; Vertex markup 1.15. */
    public static PriceTable table() {
        return new PriceTable(
                LocalDate.parse("2026-11-01"),
                "test prices",
                "test",
                new BigDecimal("1.15"),
                List.of("round numbers"),
                Map.of(
                        "us-central1",
                        new PriceTable.RegionPrices(
                                Map.of("g2-standard-8", computeEngine("0.30"), "n1-standard-4", computeEngine("0.20")),
                                Map.of("NVIDIA_L4", computeEngine("0.50"), "NVIDIA_TESLA_T4", computeEngine("0.35")))));
    }

    static Price computeEngine(String perHour) {
        return new Price(new BigDecimal(perHour), Price.Basis.COMPUTE_ENGINE, "test prices");
    }

    /** An L4 endpoint that never scales to zero: (0.30 + 0.50) x 1.15 = $0.92 per hour idle. */
    public static Billable warmEndpoint() {
        return Billable.builder("always-on", TargetKind.VERTEX, Billable.Kind.ENDPOINT, DeploymentState.WARM)
                .region("us-central1")
                .machine("g2-standard-8", "NVIDIA_L4", 1)
                .replicas(1, 2)
                .replicasNow(1)
                .idleSince(Instant.parse("2026-11-28T09:30:00Z"))
                .build();
    }

    /** The same node with scale to zero after an hour: nothing idle, $0.92 per hour awake. */
    public static Billable scaleToZeroEndpoint() {
        return Billable.builder("sleepy", TargetKind.VERTEX, Billable.Kind.ENDPOINT, DeploymentState.ZERO)
                .region("us-central1")
                .machine("g2-standard-8", "nvidia-l4", 1)
                .replicas(0, 1)
                .replicasNow(0)
                .scaleToZeroIdle(Duration.ofHours(1))
                .build();
    }

    /** A pipeline run on one L4 node: $0.92 per hour while it runs. */
    public static Billable runningPipeline() {
        return Billable.builder(
                        "ocr-run-42", TargetKind.VERTEX_PIPELINE, Billable.Kind.PIPELINE_JOB, DeploymentState.RUNNING)
                .region("us-central1")
                .machine("g2-standard-8", "NVIDIA_L4", 1)
                .build();
    }

    /** An endpoint on a machine type the table does not know. */
    public static Billable unknownMachine() {
        return Billable.builder("mystery", TargetKind.VERTEX, Billable.Kind.ENDPOINT, DeploymentState.WARM)
                .region("us-central1")
                .machine("x9-huge-1", null, 0)
                .replicas(2, 2)
                .replicasNow(2)
                .build();
    }

    public static Billable local() {
        return Billable.builder("ocr-local", TargetKind.LOCAL, Billable.Kind.LOCAL, DeploymentState.WARM)
                .replicasNow(1)
                .build();
    }
}
