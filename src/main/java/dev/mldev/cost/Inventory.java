package dev.mldev.cost;

import java.util.List;

/**
 * A source of {@link Billable}s: the local deployments, or everything that bills in a Google Cloud project's
 * regions. Each target implements one; {@code mldev status} prices what they all list.
 */
public interface Inventory {
    /** Everything this source knows that bills (or might), in a stable order. */
    List<Billable> list();
}
