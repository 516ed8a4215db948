package dev.mldev;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them on a command line: 5ms, 30s, 10m, 1h, 1h30m, 2d. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {}

    public static Duration parse(String text) {
        String value = text.trim().toLowerCase(java.util.Locale.ROOT);
        Matcher m = PART.matcher(value);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    });
            end = m.end();
        }
        if (end == 0 || end != value.length()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration; write e.g. 5ms, 30s, 10m, 1h or 1h30m");
        }
        return total;
    }

    /** The shortest of these forms that is exact: 90s -> 1m30s, 3600s -> 1h. */
    public static String format(Duration d) {
        if (d.toMillisPart() != 0 || d.isZero()) {
            return d.toMillis() + "ms";
        }
        StringBuilder out = new StringBuilder();
        long hours = d.toHours();
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (d.toMinutesPart() > 0) {
            out.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0) {
            out.append(d.toSecondsPart()).append('s');
        }
        return out.toString();
    }
}
