package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.MldevException;
import dev.mldev.cost.IdleCostGate;
import dev.mldev.cost.IdleCostReport;
import dev.mldev.cost.IdleCosts;
import dev.mldev.cost.TestPrices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gate's exit codes and its one line on stderr. */
class IdleCostGateTest {
    private final IdleCosts costs = new IdleCosts(TestPrices.table(), Clock.fixed(TestPrices.NOW, ZoneOffset.UTC));
    private final StringWriter err = new StringWriter();

    private int print(IdleCostReport report, String max) {
        BigDecimal limit = max == null ? null : new BigDecimal(max);
        IdleCostGate.checkLimit(limit);
        return StatusCommand.applyGate(limit == null ? null : report.gate(limit), new PrintWriter(err));
    }

    @Test
    void noGateExitsZeroAndPrintsNothingOnStderr() {
        assertThat(print(costs.report(List.of(TestPrices.warmEndpoint())), null))
                .isEqualTo(ExitCodes.OK);
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void idleBillingOverTheLimitExitsThreeWithOneLine() {
        IdleCostReport report = costs.report(List.of(TestPrices.warmEndpoint(), TestPrices.scaleToZeroEndpoint()));
        assertThat(print(report, "0")).isEqualTo(ExitCodes.GATE);
        assertThat(err.toString().lines().toList())
                .containsExactly("mldev: idle cost $0.92/h exceeds --max-idle-cost $0/h: always-on ($0.92/h)");
    }

    @Test
    void withinTheLimitExitsZero() {
        IdleCostReport report = costs.report(List.of(TestPrices.warmEndpoint()));
        assertThat(print(report, "1")).isEqualTo(ExitCodes.OK);
        assertThat(err.toString()).isEqualTo("mldev: idle cost $0.92/h is within --max-idle-cost $1.00/h\n");
    }

    @Test
    void unknownPriceTripsTheGate() {
        IdleCostReport report = costs.report(List.of(TestPrices.unknownMachine()));
        assertThat(print(report, "100")).isEqualTo(ExitCodes.GATE);
        assertThat(err.toString()).contains("mystery (unknown)");
    }

    @Test
    void negativeLimitIsAUsageError() {
        assertThatThrownBy(() -> print(costs.report(List.of()), "-1"))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining("--max-idle-cost must be 0 or more")
                .satisfies(e -> assertThat(((MldevException) e).kind()).isEqualTo(MldevException.Kind.USAGE));
    }
}
