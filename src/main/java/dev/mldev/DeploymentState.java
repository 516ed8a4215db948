package dev.mldev;

import java.util.Locale;

/** What a deployment is doing now, as its target reports it and as status shows and prices it. */
public enum DeploymentState {
    /** Scaled to zero: deployed, with no node running and no model in memory. */
    ZERO,
    /** At least one node up (or, locally, the model loaded) and able to answer. */
    WARM,
    /** Not running at all (stopped, undeployed, failed). */
    DOWN,
    /** A job that is running now. */
    RUNNING;

    /** The word status tables and JSON show. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
