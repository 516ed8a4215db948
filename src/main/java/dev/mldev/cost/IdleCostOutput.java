package dev.mldev.cost;

import dev.mldev.ExitCodes;
import dev.mldev.MldevException;
import java.io.PrintWriter;
import java.math.BigDecimal;

/**
 * What {@code mldev status} prints about cost and the exit code it ends with: the report as JSON or text on
 * stdout, and with {@code --max-idle-cost} the gate's one summary line on stderr and exit 3 when it trips.
 */
public final class IdleCostOutput {
    private IdleCostOutput() {
    }

    /** Checks a {@code --max-idle-cost} value before anything is listed (exit 2 when negative). */
    public static void checkLimit(BigDecimal maxIdleCostPerHour) {
        if (maxIdleCostPerHour != null && maxIdleCostPerHour.signum() < 0) {
            throw MldevException.usage("--max-idle-cost must be 0 or more USD per hour, not "
                    + maxIdleCostPerHour.toPlainString(), "use 0 to fail on anything that bills while idle");
        }
    }

    /**
     * @param maxIdleCostPerHour the gate's limit, or null for no gate
     * @return {@link ExitCodes#OK}, or {@link ExitCodes#GATE} when the gate tripped
     */
    public static int print(IdleCostReport report, boolean json, boolean tty, BigDecimal maxIdleCostPerHour,
                            PrintWriter out, PrintWriter err) {
        checkLimit(maxIdleCostPerHour);
        IdleCostReport.Verdict verdict = maxIdleCostPerHour == null ? null : report.gate(maxIdleCostPerHour);
        out.print(json ? IdleCostJson.write(report, verdict) + "\n" : IdleCostText.render(report, tty));
        out.flush();
        if (verdict == null) {
            return ExitCodes.OK;
        }
        err.println("mldev: " + verdict.summary());
        err.flush();
        return verdict.passed() ? ExitCodes.OK : ExitCodes.GATE;
    }
}
