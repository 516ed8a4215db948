package dev.mldev;

import java.util.Map;

/**
 * The labels on everything mldev creates in Google Cloud: written by the deploy targets, read back by status and
 * by the next deploy to find what an earlier one made.
 */
public final class Labels {
    /** Who manages the resource: always {@link #MLDEV}. */
    public static final String MANAGED_BY = "managed-by";

    public static final String MLDEV = "mldev";
    /** The deployment's name. */
    public static final String NAME = "mldev-name";

    private Labels() {}

    /** The labels of a resource that belongs to the named deployment. */
    public static Map<String, String> of(String deploymentName) {
        return Map.of(MANAGED_BY, MLDEV, NAME, deploymentName);
    }
}
