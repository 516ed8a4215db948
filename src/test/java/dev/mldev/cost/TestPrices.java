package dev.mldev.cost;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** A small price table with round numbers, so the tests can do the arithmetic by hand, and the billables. */
final class TestPrices {
    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private TestPrices() {
    }

    /** us-central1: g2-standard-8 $0.30, L4 $0.50, n1-standard-4 $0.20, T4 $0.35; Vertex markup 1.15. */
    static PriceTable table() {
        return new PriceTable(LocalDate.parse("2026-11-01"), "test prices", "test", new BigDecimal("1.15"),
                List.of("round numbers"),
                Map.of("us-central1", new PriceTable.RegionPrices(
                        Map.of("g2-standard-8", computeEngine("0.30"), "n1-standard-4", computeEngine("0.20")),
                        Map.of("NVIDIA_L4", computeEngine("0.50"), "NVIDIA_TESLA_T4", computeEngine("0.35")))));
    }

    static Price computeEngine(String perHour) {
        return new Price(new BigDecimal(perHour), Price.Basis.COMPUTE_ENGINE, "test prices");
    }

    /** An L4 endpoint that never scales to zero: (0.30 + 0.50) x 1.15 = $0.92 per hour idle. */
    static Billable warmEndpoint() {
        return Billable.builder("always-on", "vertex", Billable.Kind.ENDPOINT, Billable.State.WARM)
                .region("us-central1").machine("g2-standard-8", "NVIDIA_L4", 1).replicas(1, 2).replicasNow(1)
                .idleSince(Instant.parse("2026-11-28T09:30:00Z")).build();
    }

    /** The same node with scale to zero after an hour: nothing idle, $0.92 per hour awake. */
    static Billable scaleToZeroEndpoint() {
        return Billable.builder("sleepy", "vertex", Billable.Kind.ENDPOINT, Billable.State.ZERO)
                .region("us-central1").machine("g2-standard-8", "nvidia-l4", 1).replicas(0, 1).replicasNow(0)
                .scaleToZeroIdle(Duration.ofHours(1)).build();
    }

    /** A pipeline run on one L4 node: $0.92 per hour while it runs. */
    static Billable runningPipeline() {
        return Billable.builder("ocr-run-42", "vertex-pipeline", Billable.Kind.PIPELINE_JOB, Billable.State.RUNNING)
                .region("us-central1").machine("g2-standard-8", "NVIDIA_L4", 1).build();
    }

    /** An endpoint on a machine type the table does not know. */
    static Billable unknownMachine() {
        return Billable.builder("mystery", "vertex", Billable.Kind.ENDPOINT, Billable.State.WARM)
                .region("us-central1").machine("x9-huge-1", null, 0).replicas(2, 2).replicasNow(2).build();
    }

    static Billable local() {
        return Billable.builder("ocr-local", "local", Billable.Kind.LOCAL, Billable.State.WARM).replicasNow(1).build();
    }
}
