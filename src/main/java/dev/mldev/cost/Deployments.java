package dev.mldev.cost;

import java.util.Set;

/**
 * mldev's own recorded deployments as {@code mldev status} needs them: the local ones to price, and the regions the
 * cloud ones live in (to list those regions too). The deployment packages implement it; cost does not know them.
 */
public interface Deployments {
    /** The deployments on this machine. */
    Inventory local();

    /** The regions of the recorded cloud deployments, in a stable order. */
    Set<String> cloudRegions();
}
