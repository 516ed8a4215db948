package dev.mldev.cost.cloudrun;

import java.util.List;

/**
 * The regions where Cloud Run offers GPUs (NVIDIA L4), from Cloud Run's GPU documentation ("Supported regions"),
 * transcribed 2026-11-30. A region missing here is refused before any call; one added by Google later needs a
 * line here.
 */
public final class CloudRunRegions {
    /** Cloud Run's name for the one GPU it offers. */
    public static final String L4 = "nvidia-l4";

    private static final List<String> WITH_L4 =
            List.of("us-central1", "us-east4", "europe-west1", "europe-west4", "asia-southeast1", "asia-south1");

    private CloudRunRegions() {}

    public static List<String> withGpu() {
        return WITH_L4;
    }

    public static boolean offersGpu(String region) {
        return WITH_L4.contains(region);
    }
}
