package dev.mldev.cost;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * The hourly price of one node (machine plus its accelerators), or why it is unknown. Unknown is never zero.
 *
 * @param perHour USD per hour, or null when unknown
 * @param unknown why the price is unknown (e.g. "no price for machine type x9-big in us-central1"), or null
 */
public record NodePrice(BigDecimal perHour, String unknown) {
    public static final NodePrice FREE = new NodePrice(BigDecimal.ZERO, null);

    public NodePrice {
        if ((perHour == null) == (unknown == null)) {
            throw new IllegalArgumentException("a node price is either known or has a reason it is unknown");
        }
    }

    public static NodePrice known(BigDecimal perHour) {
        return new NodePrice(Objects.requireNonNull(perHour), null);
    }

    public static NodePrice unknown(String why) {
        return new NodePrice(null, Objects.requireNonNull(why));
    }

    public boolean isKnown() {
        return perHour != null;
    }

    /** This price times a number of nodes; unknown stays unknown. */
    public BigDecimal times(int nodes) {
        return perHour == null ? null : perHour.multiply(BigDecimal.valueOf(nodes));
    }
}
