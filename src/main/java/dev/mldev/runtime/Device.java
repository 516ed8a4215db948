package dev.mldev.runtime;

/** Where a model runs: {@code auto} tries CUDA and falls back to the CPU, saying so. */
public enum Device {
    AUTO,
    CUDA,
    CPU;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
