package dev.mldev.runtime;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Predictions as JSON, the format of {@code mldev predict --json} and of {@code mldev serve}'s answers: snake_case
 * fields, null ones left out. Written with jackson-core's generator rather than databind, whose start would cost
 * a one-shot predict about a fifth of its CPU.
 */
public final class PredictionJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private PredictionJson() {}

    /** An indented JSON array, one object per prediction. */
    public static String array(List<Prediction> predictions) {
        return write(true, g -> writeArray(g, predictions));
    }

    /** {@code {"predictions":[...]}} on one line, as serve answers a predict request. */
    public static String response(List<Prediction> predictions) {
        return write(false, g -> {
            g.writeStartObject();
            g.writeFieldName("predictions");
            writeArray(g, predictions);
            g.writeEndObject();
        });
    }

    /** One result on one line (no newline), as {@code predict --jsonl} writes it. */
    public static String line(ImageResult result) {
        return write(false, g -> writeResult(g, result));
    }

    /**
     * An indented JSON array written one result at a time, each flushed to {@code out} as it comes: the same
     * text {@link #array} gives for the whole list. Nothing is written before the first result or {@link #finish()}.
     */
    public static final class ArrayWriter {
        private final JsonGenerator g;
        private boolean started;

        public ArrayWriter(java.io.Writer out) {
            try {
                g = FACTORY.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            g.useDefaultPrettyPrinter();
        }

        public void write(ImageResult result) {
            run(() -> {
                start();
                writeResult(g, result);
                g.flush();
            });
        }

        /** Closes the array (an empty one if no result came). */
        public void finish() {
            run(() -> {
                start();
                g.writeEndArray();
                g.close();
            });
        }

        private void start() throws IOException {
            if (!started) {
                g.writeStartArray();
                started = true;
            }
        }

        private void run(Step step) {
            try {
                step.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private interface Step {
            void run() throws IOException;
        }
    }

    private static void writeResult(JsonGenerator g, ImageResult result) throws IOException {
        if (result.ok()) {
            writePrediction(g, result.prediction());
            return;
        }
        g.writeStartObject();
        writeText(g, "image", result.image());
        writeText(g, "error", result.failure().getMessage());
        writeText(g, "hint", result.failure().hint());
        g.writeEndObject();
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String write(boolean indented, Body body) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            if (indented) {
                g.useDefaultPrettyPrinter();
            }
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static void writeArray(JsonGenerator g, List<Prediction> predictions) throws IOException {
        g.writeStartArray();
        for (Prediction p : predictions) {
            writePrediction(g, p);
        }
        g.writeEndArray();
    }

    private static void writePrediction(JsonGenerator g, Prediction p) throws IOException {
        g.writeStartObject();
        writeText(g, "image", p.image());
        writeText(g, "text", p.text());
        writeText(g, "label", p.label());
        if (p.score() != null) {
            g.writeNumberField("score", p.score());
        }
        if (p.top() != null) {
            g.writeArrayFieldStart("top");
            for (Prediction.Scored s : p.top()) {
                g.writeStartObject();
                writeText(g, "label", s.label());
                g.writeNumberField("score", s.score());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (p.outputs() != null) {
            g.writeObjectFieldStart("outputs");
            for (Map.Entry<String, Prediction.RawOutput> output : p.outputs().entrySet()) {
                g.writeObjectFieldStart(output.getKey());
                g.writeArrayFieldStart("shape");
                for (long dimension : output.getValue().shape()) {
                    g.writeNumber(dimension);
                }
                g.writeEndArray();
                float[] data = output.getValue().data();
                g.writeArrayFieldStart("data");
                for (float value : data) {
                    g.writeNumber(value);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        writeText(g, "provider", p.provider());
        if (p.timingsMs() != null) {
            Prediction.Timings t = p.timingsMs();
            g.writeObjectFieldStart("timings_ms");
            g.writeNumberField("decode", t.decode());
            g.writeNumberField("preprocess", t.preprocess());
            g.writeNumberField("inference", t.inference());
            g.writeNumberField("postprocess", t.postprocess());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void writeText(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }
}
