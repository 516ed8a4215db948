package dev.mldev.cost;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The human form of an {@link IdleCostReport}: an aligned table for a TTY, tab-separated values when piped
 * (amounts as plain numbers, so scripts can cut columns), and the totals underneath.
 */
public final class IdleCostText {
    private static final List<String> HEADER =
            List.of("NAME", "TARGET", "STATE", "REPLICAS", "IDLE/H", "AWAKE/H", "REASON");

    private IdleCostText() {
    }

    public static String render(IdleCostReport report, boolean tty) {
        List<List<String>> lines = new ArrayList<>();
        lines.add(HEADER);
        for (IdleCostRow row : report.rows()) {
            Billable b = row.billable();
            lines.add(List.of(b.name(), b.target(), b.state().label(),
                    b.replicasNow() == null ? "-" : b.replicasNow().toString(),
                    money(row.idleCostPerHour(), tty), money(row.awakeCostPerHour(), tty), row.reason()));
        }
        StringBuilder out = new StringBuilder(tty ? aligned(lines) : tabbed(lines));
        out.append(tty ? "\n" : "# ").append(totals(report)).append('\n');
        return out.toString();
    }

    /** "total idle $0.93/h, $669.60 per 30 days" plus the unknown prices left out. */
    public static String totals(IdleCostReport report) {
        String line = "total idle " + Usd.perHour(report.totalIdleCostPerHour()) + ", "
                + Usd.format(report.totalIdleCostPer30Days()) + " per 30 days";
        int unknown = report.unknownIdleCost().size();
        if (unknown > 0) {
            line += " (plus " + unknown + " with unknown prices)";
        }
        return line + "; prices as of " + report.prices().asOf() + " (" + report.prices().origin() + ")";
    }

    private static String money(BigDecimal amount, boolean tty) {
        if (amount == null) {
            return "unknown";
        }
        return tty ? Usd.format(amount) : Usd.json(amount).toPlainString();
    }

    private static String tabbed(List<List<String>> lines) {
        StringBuilder out = new StringBuilder();
        lines.forEach(cells -> out.append(String.join("\t", cells)).append('\n'));
        return out.toString();
    }

    private static String aligned(List<List<String>> lines) {
        int columns = HEADER.size();
        int[] widths = new int[columns];
        for (List<String> cells : lines) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], cells.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> cells : lines) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i == columns - 1 ? cells.get(i) : pad(cells.get(i), widths[i]) + "  ");
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(width - text.length());
    }
}
