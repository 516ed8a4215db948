package dev.mldev.cost;

import java.util.Locale;

/** Accelerator names: the CLI's {@code nvidia-l4} and Vertex AI's {@code NVIDIA_L4} are the same GPU. */
public final class Accelerators {
    private Accelerators() {}

    /** The Vertex AI enum spelling ({@code NVIDIA_TESLA_T4}) of a name written either way. */
    public static String normalize(String name) {
        return name == null ? null : name.trim().replace('-', '_').toUpperCase(Locale.ROOT);
    }
}
