package dev.mldev.cost;

import dev.mldev.MldevException;
import java.math.BigDecimal;

/** The {@code --max-idle-cost} limit, checked before anything is listed; the report's verdict applies it. */
public final class IdleCostGate {
    private IdleCostGate() {}

    /** Checks a {@code --max-idle-cost} value before anything is listed (exit 2 when negative). */
    public static void checkLimit(BigDecimal maxIdleCostPerHour) {
        if (maxIdleCostPerHour != null && maxIdleCostPerHour.signum() < 0) {
            throw MldevException.usage(
                    "--max-idle-cost must be 0 or more USD per hour, not " + maxIdleCostPerHour.toPlainString(),
                    "use 0 to fail on anything that bills while idle");
        }
    }
}
