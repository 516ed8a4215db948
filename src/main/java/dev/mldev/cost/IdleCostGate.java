package dev.mldev.cost;

import dev.mldev.ExitCodes;
import dev.mldev.MldevException;
import java.io.PrintWriter;
import java.math.BigDecimal;

/** The {@code --max-idle-cost} gate as {@code mldev status} applies it: one line on stderr, exit 3 when tripped. */
public final class IdleCostGate {
    private IdleCostGate() {
    }

    /** Checks a {@code --max-idle-cost} value before anything is listed (exit 2 when negative). */
    public static void checkLimit(BigDecimal maxIdleCostPerHour) {
        if (maxIdleCostPerHour != null && maxIdleCostPerHour.signum() < 0) {
            throw MldevException.usage("--max-idle-cost must be 0 or more USD per hour, not "
                    + maxIdleCostPerHour.toPlainString(), "use 0 to fail on anything that bills while idle");
        }
    }

    /**
     * Prints the gate's summary line on {@code err}.
     *
     * @param verdict the gate's outcome, or null when no gate was asked for
     * @return {@link ExitCodes#OK}, or {@link ExitCodes#GATE} when the gate tripped
     */
    public static int apply(IdleCostReport.Verdict verdict, PrintWriter err) {
        if (verdict == null) {
            return ExitCodes.OK;
        }
        err.println("mldev: " + verdict.summary());
        err.flush();
        return verdict.passed() ? ExitCodes.OK : ExitCodes.GATE;
    }
}
