package dev.mldev.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mldev.MldevException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes {@code mldev.json}, refusing unknown schemas, wrong types and missing fields with one clear
 * line. Reading maps the fields by hand from {@link PlainJson}, without databind: every one-shot predict reads a
 * manifest, and databind's start is a quarter of its CPU. Writing (package, image push) uses databind; the
 * round trip is tested.
 */
public final class ManifestIo {
    private static final String HINT = "re-create the bundle with 'mldev package'";

    private ManifestIo() {}

    /** Databind, started only when a manifest is written. */
    private static final class Writer {
        static final ObjectMapper JSON = new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    public static String write(Manifest manifest) {
        try {
            return Writer.JSON.writeValueAsString(manifest) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise manifest", e);
        }
    }

    /** Parses and validates; {@code where} names the file in error messages. Unknown fields are ignored. */
    public static Manifest read(String json, String where) {
        Object root;
        try {
            root = PlainJson.parse(json);
        } catch (JsonProcessingException e) {
            throw MldevException.failure(where + " is not valid JSON: " + e.getOriginalMessage(), HINT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Object schema = root instanceof Map<?, ?> fields ? fields.get("schema") : null;
        if (!(schema instanceof Number number)) {
            throw MldevException.failure(where + " has no \"schema\" field", HINT);
        }
        if (number.intValue() != Manifest.SCHEMA) {
            throw MldevException.failure(
                    where + " has schema " + schema + "; this mldev reads schema " + Manifest.SCHEMA,
                    "upgrade mldev, or re-create the bundle with this version's 'mldev package'");
        }
        Manifest manifest;
        try {
            manifest = manifest(new JsonFields("", (Map<?, ?>) root));
        } catch (IllegalArgumentException e) {
            throw MldevException.failure(where + ": " + e.getMessage(), HINT);
        }
        List<String> missing = missingFields(manifest);
        if (!missing.isEmpty()) {
            throw MldevException.failure(where + " is missing " + String.join(", ", missing), HINT);
        }
        PreprocessLimits.of(manifest.preprocess()).ifPresent(problem -> {
            throw MldevException.failure(where + ": " + problem, HINT);
        });
        return manifest;
    }

    private static Manifest manifest(JsonFields f) {
        JsonFields model = f.object("model");
        JsonFields pre = f.object("preprocess");
        JsonFields serving = f.object("serving");
        JsonFields demo = f.object("demo");
        return new Manifest(
                f.integer("schema"),
                f.text("name"),
                f.text("version"),
                model == null ? null : new Manifest.ModelFile(model.text("file"), model.text("sha256")),
                tensors(f.objects("inputs")),
                tensors(f.objects("outputs")),
                pre == null ? null : preprocess(pre),
                postprocess(f.object("postprocess")),
                serving == null
                        ? null
                        : new Serving(
                                serving.text("machine_type"),
                                serving.text("gpu"),
                                serving.integer("gpu_count"),
                                serving.text("idle_timeout"),
                                serving.text("image")),
                demo == null ? null : new Demo(demo.text("title"), demo.text("description"), demo.texts("examples")));
    }

    private static List<Manifest.TensorSpec> tensors(List<JsonFields> list) {
        return list == null
                ? null
                : list.stream()
                        .map(t -> new Manifest.TensorSpec(t.text("name"), t.text("type"), t.integers("shape")))
                        .toList();
    }

    private static Preprocess preprocess(JsonFields f) {
        JsonFields r = f.object("resize");
        return new Preprocess(
                f.text("layout"),
                f.text("color"),
                r == null
                        ? null
                        : new Preprocess.Resize(
                                r.text("mode"),
                                r.integer("width"),
                                r.integer("height"),
                                r.integer("max_width"),
                                r.bool("pad_right")),
                f.decimal("scale"),
                f.decimals("mean"),
                f.decimals("std"));
    }

    private static Postprocess postprocess(JsonFields f) {
        if (f == null) {
            return null;
        }
        String type = f.text("type");
        if (type == null) {
            throw new IllegalArgumentException(f.path() + "type is missing (classify, ctc or raw)");
        }
        return switch (type) {
            case "classify" -> new Postprocess.Classify(f.text("labels_file"), f.integer("top_k"), f.bool("softmax"));
            case "ctc" -> new Postprocess.Ctc(f.text("vocab_file"), f.integer("blank_index"), f.bool("space_at_end"));
            case "raw" -> new Postprocess.Raw();
            default ->
                throw new IllegalArgumentException(f.path() + "type '" + type + "' is not one of classify, ctc, raw");
        };
    }

    private static List<String> missingFields(Manifest m) {
        List<String> missing = new ArrayList<>();
        require(missing, m.name(), "name");
        require(missing, m.version(), "version");
        require(missing, m.model(), "model");
        if (m.model() != null) {
            require(missing, m.model().file(), "model.file");
            require(missing, m.model().sha256(), "model.sha256");
        }
        if (m.inputs() == null || m.inputs().isEmpty()) {
            missing.add("inputs");
        }
        if (m.outputs() == null || m.outputs().isEmpty()) {
            missing.add("outputs");
        }
        require(missing, m.preprocess(), "preprocess");
        if (m.preprocess() != null) {
            Preprocess p = m.preprocess();
            require(missing, p.layout(), "preprocess.layout");
            require(missing, p.color(), "preprocess.color");
            require(missing, p.resize(), "preprocess.resize");
            if (p.mean() == null || p.mean().size() != 3) {
                missing.add("preprocess.mean (3 values)");
            }
            if (p.std() == null || p.std().size() != 3) {
                missing.add("preprocess.std (3 values)");
            }
        }
        require(missing, m.postprocess(), "postprocess");
        if (m.postprocess() instanceof Postprocess.Classify c) {
            require(missing, c.labelsFile(), "postprocess.labels_file");
        } else if (m.postprocess() instanceof Postprocess.Ctc c) {
            require(missing, c.vocabFile(), "postprocess.vocab_file");
        }
        return missing;
    }

    private static void require(List<String> missing, Object value, String field) {
        if (value == null) {
            missing.add(field);
        }
    }
}
