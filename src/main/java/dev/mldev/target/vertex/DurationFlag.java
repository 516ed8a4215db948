package dev.mldev.target.vertex;

import dev.mldev.MldevException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as flags take them: "90s", "15m", "1h", "1h30m". */
final class DurationFlag {
    private static final Pattern PART = Pattern.compile("(\\d+)([hms])");

    private DurationFlag() {
    }

    static Duration parse(String flag, String value) {
        String text = value == null ? "" : value.trim().toLowerCase();
        Matcher m = PART.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            });
            end = m.end();
        }
        if (text.isEmpty() || end != text.length()) {
            throw MldevException.usage(flag + " '" + value + "' is not a duration", "write it like 90s, 15m, 1h or 1h30m");
        }
        return total;
    }

    /** Parses and checks min <= value <= max (exit 2 otherwise). */
    static Duration parseWithin(String flag, String value, Duration min, Duration max) {
        Duration d = parse(flag, value);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw MldevException.usage(flag + " " + value + " is out of range: Vertex AI takes " + format(min) + " to " + format(max),
                    "pass a value between " + format(min) + " and " + format(max));
        }
        return d;
    }

    static String format(Duration d) {
        if (d.toSeconds() % 3600 == 0) {
            return d.toHours() + "h";
        }
        return d.toSeconds() % 60 == 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
    }
}
