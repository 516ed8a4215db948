package dev.mldev.bundle;

/**
 * Defaults for deploying the bundle, used when deploy is not told otherwise.
 *
 * @param idleTimeout how long a scaled-to-zero deployment stays up without requests, e.g. "1h"
 * @param image       the serving container image; null until {@code mldev image push} sets it
 */
public record Serving(String machineType, String gpu, int gpuCount, String idleTimeout, String image) {
    public static Serving defaults() {
        return new Serving("g2-standard-4", "nvidia-l4", 1, "1h", null);
    }

    public Serving withImage(String newImage) {
        return new Serving(machineType, gpu, gpuCount, idleTimeout, newImage);
    }
}
