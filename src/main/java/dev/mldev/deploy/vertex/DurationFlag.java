package dev.mldev.deploy.vertex;

import dev.mldev.Durations;
import dev.mldev.MldevException;
import java.time.Duration;

/** A duration flag that Vertex AI takes only within limits (the scale-to-zero periods). */
final class DurationFlag {
    private DurationFlag() {}

    /** Parses and checks min <= value <= max (exit 2 otherwise). */
    static Duration parseWithin(String flag, String value, Duration min, Duration max) {
        Duration d;
        try {
            d = Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw MldevException.usage(
                    flag + " '" + value + "' is not a duration", "write it like 90s, 15m, 1h or 1h30m");
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw MldevException.usage(
                    flag + " " + value + " is out of range: Vertex AI takes " + Durations.format(min) + " to "
                            + Durations.format(max),
                    "pass a value between " + Durations.format(min) + " and " + Durations.format(max));
        }
        return d;
    }
}
