package dev.mldev.cost;

import java.math.BigDecimal;

/**
 * One line of {@code mldev status}: a billable thing and what it costs.
 *
 * @param billable             what the target reported
 * @param idleCostPerHour      what it bills per hour with no traffic, or null when the price is unknown
 * @param awakeCostPerHour     what it bills per hour while serving, or null when unknown
 * @param reason               why, in words ("min replicas 1: never scales to zero")
 */
public record IdleCostRow(Billable billable, BigDecimal idleCostPerHour, BigDecimal awakeCostPerHour, String reason) {

    public boolean idleCostUnknown() {
        return idleCostPerHour == null;
    }

    /** Bills with no traffic, or might: an unknown price counts as billing. */
    public boolean billsWhenIdle() {
        return idleCostPerHour == null || idleCostPerHour.signum() > 0;
    }
}
