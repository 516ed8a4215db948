package dev.mldev.cost;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The idle-cost picture at one moment: a row per billable thing, the totals, and the CI gate on them.
 * Totals add the known idle costs; rows whose price is unknown are listed by {@link #unknownIdleCost()}.
 */
public record IdleCostReport(Instant generatedAt, PriceTable prices, List<IdleCostRow> rows) {
    /** The 30-day month used for "per 30 days". */
    public static final BigDecimal HOURS_PER_30_DAYS = BigDecimal.valueOf(30 * 24);

    public IdleCostReport {
        rows = List.copyOf(rows);
    }

    /** Sum of the known idle costs per hour. */
    public BigDecimal totalIdleCostPerHour() {
        return rows.stream()
                .map(IdleCostRow::idleCostPerHour)
                .filter(java.util.Objects::nonNull)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    public BigDecimal totalIdleCostPer30Days() {
        return totalIdleCostPerHour().multiply(HOURS_PER_30_DAYS);
    }

    /** Rows whose idle cost could not be priced. */
    public List<IdleCostRow> unknownIdleCost() {
        return rows.stream().filter(IdleCostRow::idleCostUnknown).toList();
    }

    /**
     * The CI gate: passes when every idle cost is known and their total is at most {@code maxPerHour}.
     * The offenders are the rows that bill when idle (or might: unknown prices).
     */
    public Verdict gate(BigDecimal maxPerHour) {
        List<IdleCostRow> offenders =
                rows.stream().filter(IdleCostRow::billsWhenIdle).toList();
        boolean unknown = !unknownIdleCost().isEmpty();
        boolean over = totalIdleCostPerHour().compareTo(maxPerHour) > 0;
        return new Verdict(!unknown && !over, maxPerHour, totalIdleCostPerHour(), offenders);
    }

    /** The gate's outcome, with the one summary line printed on stderr when it fails. */
    public record Verdict(
            boolean passed, BigDecimal limitPerHour, BigDecimal totalPerHour, List<IdleCostRow> offenders) {
        public Verdict {
            offenders = List.copyOf(offenders);
        }

        public String summary() {
            String names = offenders.stream()
                    .map(r -> r.billable().name() + " (" + Usd.perHour(r.idleCostPerHour()) + ")")
                    .collect(Collectors.joining(", "));
            String limit = Usd.perHour(limitPerHour);
            if (passed) {
                return "idle cost " + Usd.perHour(totalPerHour) + " is within --max-idle-cost " + limit;
            }
            if (totalPerHour.compareTo(limitPerHour) > 0) {
                boolean someUnknown = offenders.stream().anyMatch(IdleCostRow::idleCostUnknown);
                return "idle cost " + (someUnknown ? "at least " : "") + Usd.perHour(totalPerHour)
                        + " exceeds --max-idle-cost " + limit + ": " + names;
            }
            // within the limit on known prices, but an unknown price might not be
            return "idle cost unknown (unknown prices fail the gate), known total " + Usd.perHour(totalPerHour)
                    + " against --max-idle-cost " + limit + ": " + names;
        }
    }
}
