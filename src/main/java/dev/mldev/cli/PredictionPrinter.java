package dev.mldev.cli;

import dev.mldev.MldevException;
import dev.mldev.runtime.ImageResult;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.PredictionJson;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Results as they come, each flushed at once: lines people read, one JSON object per line ({@code --jsonl}), or
 * a JSON array written element by element ({@code --json}). A failed image is a line (an object) of its own.
 */
final class PredictionPrinter {
    enum Format {
        TEXT,
        JSON,
        JSONL
    }

    private final Format format;
    private final PrintWriter out;
    private final Supplier<MldevException> writeFailure;
    private final PredictionJson.ArrayWriter array;

    /** @param writeFailure what to throw when {@code out} can no longer be written (a full disk, a closed pipe) */
    /** The failure of a write to standard output that did not go through (a full disk, a closed pipe). */
    static MldevException stdoutFailure() {
        return MldevException.failure(
                "cannot write the output: standard output is full or closed",
                "check the disk or the pipe stdout goes to");
    }

    PredictionPrinter(Format format, PrintWriter out, Supplier<MldevException> writeFailure) {
        this.format = format;
        this.out = out;
        this.writeFailure = writeFailure;
        this.array = format == Format.JSON ? new PredictionJson.ArrayWriter(out) : null;
    }

    void write(ImageResult result) {
        switch (format) {
            case JSON -> array.write(result);
            case JSONL -> out.println(PredictionJson.line(result));
            case TEXT ->
                out.println(
                        result.ok()
                                ? line(result.prediction())
                                : result.image() + "  error: "
                                        + result.failure().getMessage());
        }
        check();
    }

    /** Ends the output: the array's closing bracket. */
    void finish() {
        if (array != null) {
            array.finish();
            out.println();
        }
        check();
    }

    private void check() {
        if (out.checkError()) { // flushes too
            throw writeFailure.get();
        }
    }

    static String line(Prediction p) {
        if (p.text() != null) {
            return p.image() + "  \"" + p.text() + "\"  " + score(p.score());
        }
        if (p.label() != null) {
            return p.image() + "  " + p.label() + "  " + score(p.score());
        }
        String outputs = p.outputs() == null
                ? ""
                : p.outputs().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue().shape())
                        .collect(Collectors.joining("  "));
        return p.image() + "  " + outputs;
    }

    /** Three significant digits, trailing zeros dropped: 0.99, 0.998. */
    private static String score(Double score) {
        if (score == null) {
            return "";
        }
        return new BigDecimal(score)
                .round(new MathContext(3))
                .stripTrailingZeros()
                .toPlainString();
    }
}
