package dev.mldev.bundle;

import java.util.List;
import java.util.Optional;

/**
 * The preprocessing values an image tensor can be built from, checked where they come in (package's flags, a
 * manifest read): a side too large overflows the tensor's size, a std of 0 divides by zero into NaN.
 */
public final class PreprocessLimits {
    /** Beyond any vision model's input side: 8192 x 8192 x 3 floats are 768 MiB already. */
    public static final int MAX_SIDE = 8192;

    private PreprocessLimits() {}

    /** Why {@code value} cannot be an image side named {@code name}; 0 means "no limit" where allowed. */
    public static Optional<String> side(String name, int value, boolean zeroAllowed) {
        if ((value == 0 && zeroAllowed) || (value >= 1 && value <= MAX_SIDE)) {
            return Optional.empty();
        }
        return Optional.of(
                name + " must be 1 to " + MAX_SIDE + (zeroAllowed ? " (or 0: no limit)" : "") + ", not " + value);
    }

    /** Why these per-channel divisors cannot normalise pixels: each must be a finite number other than 0. */
    public static Optional<String> std(String name, List<Double> std) {
        return std.stream()
                .filter(v -> v == 0 || !Double.isFinite(v))
                .findFirst()
                .map(v -> name + " must be finite and non-zero (pixels are divided by it), not " + v);
    }

    /** Why these per-channel offsets cannot normalise pixels: each must be finite. */
    public static Optional<String> mean(String name, List<Double> mean) {
        return mean.stream().filter(v -> !Double.isFinite(v)).findFirst().map(v -> name + " must be finite, not " + v);
    }

    /** The first problem of a whole preprocessing, its fields named as in mldev.json. */
    static Optional<String> of(Preprocess p) {
        Preprocess.Resize r = p.resize();
        return side("preprocess.resize.height", r.height(), false)
                .or(() -> r.isFixed()
                        ? side("preprocess.resize.width", r.width(), false)
                        : side("preprocess.resize.max_width", r.maxWidth(), true))
                .or(() -> p.scale() == 0 || !Double.isFinite(p.scale())
                        ? Optional.of("preprocess.scale must be finite and non-zero, not " + p.scale())
                        : Optional.empty())
                .or(() -> mean("preprocess.mean", p.mean()))
                .or(() -> std("preprocess.std", p.std()));
    }
}
