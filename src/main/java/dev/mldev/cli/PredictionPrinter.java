package dev.mldev.cli;

import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.PredictionJson;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.stream.Collectors;

/** Predictions as people read them (one line each) or as a JSON array. */
final class PredictionPrinter {
    private PredictionPrinter() {
    }

    static void print(List<Prediction> predictions, boolean json, PrintWriter out) {
        if (json) {
            out.println(PredictionJson.array(predictions));
            return;
        }
        for (Prediction p : predictions) {
            out.println(line(p));
        }
    }

    static String line(Prediction p) {
        if (p.text() != null) {
            return p.image() + "  \"" + p.text() + "\"  " + score(p.score());
        }
        if (p.label() != null) {
            return p.image() + "  " + p.label() + "  " + score(p.score());
        }
        String outputs = p.outputs() == null ? "" : p.outputs().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue().shape())
                .collect(Collectors.joining("  "));
        return p.image() + "  " + outputs;
    }

    /** Three significant digits, trailing zeros dropped: 0.99, 0.998. */
    private static String score(Double score) {
        if (score == null) {
            return "";
        }
        return new BigDecimal(score).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }
}
