package dev.mldev.cost;

import dev.mldev.Durations;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The cells of {@code mldev status}'s table for people and pipes, and the totals line under it. Amounts are
 * "$0.92" for people and plain numbers when piped, so scripts can cut columns; unknown prices are "unknown".
 */
public final class IdleCostText {
    public static final List<String> HEADER =
            List.of("NAME", "TARGET", "STATE", "REPLICAS", "IDLE", "REQUESTS", "IDLE/H", "AWAKE/H", "URL", "REASON");

    private IdleCostText() {}

    /** One row of cells per report row, in {@link #HEADER}'s order. */
    public static List<List<String>> rows(IdleCostReport report, boolean forPeople) {
        List<List<String>> rows = new ArrayList<>();
        for (IdleCostRow row : report.rows()) {
            Billable b = row.billable();
            rows.add(List.of(
                    b.name(),
                    b.target().id(),
                    b.state().label(),
                    b.replicasNow() == null ? "-" : b.replicasNow().toString(),
                    idleFor(b.idleSince(), report.generatedAt()),
                    b.requestsServed() == null ? "-" : b.requestsServed().toString(),
                    money(row.idleCostPerHour(), forPeople),
                    money(row.awakeCostPerHour(), forPeople),
                    b.url() == null ? "-" : b.url(),
                    row.reason()));
        }
        return rows;
    }

    /** "total idle $0.92/h, $662.40 per 30 days", the unknown prices left out, and the prices' date. */
    public static String totals(IdleCostReport report) {
        String line = "total idle " + Usd.perHour(report.totalIdleCostPerHour()) + ", "
                + Usd.format(report.totalIdleCostPer30Days()) + " per 30 days";
        int unknown = report.unknownIdleCost().size();
        if (unknown > 0) {
            line += " (plus " + unknown + " with unknown prices)";
        }
        return line + "; prices as of " + report.prices().asOf() + " ("
                + report.prices().origin() + ")";
    }

    private static String idleFor(Instant since, Instant now) {
        if (since == null) {
            return "-";
        }
        return Durations.format(
                Duration.ofSeconds(Math.max(0, Duration.between(since, now).toSeconds())));
    }

    private static String money(BigDecimal amount, boolean forPeople) {
        if (amount == null) {
            return "unknown";
        }
        return forPeople ? Usd.format(amount) : Usd.json(amount).toPlainString();
    }
}
