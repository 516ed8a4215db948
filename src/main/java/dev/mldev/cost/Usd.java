package dev.mldev.cost;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** How money is shown: to the cent for people, finer where a cent would hide it; exact-ish in JSON. */
public final class Usd {
    private static final BigDecimal CENT = new BigDecimal("0.01");

    private Usd() {}

    /** "$0.81", "$0.0042" for amounts under a cent, "$0" for nothing, "unknown" for null. */
    public static String format(BigDecimal amount) {
        if (amount == null) {
            return "unknown";
        }
        if (amount.signum() == 0) {
            return "$0";
        }
        if (amount.abs().compareTo(CENT) < 0) {
            return "$"
                    + amount.round(new java.math.MathContext(2, RoundingMode.HALF_UP))
                            .toPlainString();
        }
        return "$" + amount.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    /** "$0.81/h" or "unknown". */
    public static String perHour(BigDecimal amount) {
        return amount == null ? "unknown" : format(amount) + "/h";
    }

    /** The value written to JSON: six decimals at most (a millionth of a dollar), no trailing zeros. */
    public static BigDecimal json(BigDecimal amount) {
        if (amount == null) {
            return null;
        }
        BigDecimal rounded = amount.setScale(6, RoundingMode.HALF_UP).stripTrailingZeros();
        return rounded.scale() < 0 ? rounded.setScale(0) : rounded;
    }
}
