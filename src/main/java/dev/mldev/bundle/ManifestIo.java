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

    private ManifestIo() {
    }

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
            throw MldevException.failure(where + " has schema " + schema + "; this mldev reads schema "
                    + Manifest.SCHEMA, "upgrade mldev, or re-create the bundle with this version's 'mldev package'");
        }
        Manifest manifest;
        try {
            manifest = manifest(new Fields("", (Map<?, ?>) root));
        } catch (IllegalArgumentException e) {
            throw MldevException.failure(where + ": " + e.getMessage(), HINT);
        }
        List<String> missing = missingFields(manifest);
        if (!missing.isEmpty()) {
            throw MldevException.failure(where + " is missing " + String.join(", ", missing), HINT);
        }
        return manifest;
    }

    private static Manifest manifest(Fields f) {
        Fields model = f.object("model");
        Fields pre = f.object("preprocess");
        Fields serving = f.object("serving");
        return new Manifest(f.integer("schema"), f.text("name"), f.text("version"),
                model == null ? null : new Manifest.ModelFile(model.text("file"), model.text("sha256")),
                tensors(f.objects("inputs")), tensors(f.objects("outputs")),
                pre == null ? null : preprocess(pre), postprocess(f.object("postprocess")),
                serving == null ? null : new Serving(serving.text("machine_type"), serving.text("gpu"),
                        serving.integer("gpu_count"), serving.text("idle_timeout"), serving.text("image")));
    }

    private static List<Manifest.TensorSpec> tensors(List<Fields> list) {
        return list == null ? null : list.stream()
                .map(t -> new Manifest.TensorSpec(t.text("name"), t.text("type"), t.integers("shape"))).toList();
    }

    private static Preprocess preprocess(Fields f) {
        Fields r = f.object("resize");
        return new Preprocess(f.text("layout"), f.text("color"), r == null ? null
                : new Preprocess.Resize(r.text("mode"), r.integer("width"), r.integer("height"),
                        r.integer("max_width"), r.bool("pad_right")),
                f.decimal("scale"), f.decimals("mean"), f.decimals("std"));
    }

    private static Postprocess postprocess(Fields f) {
        if (f == null) {
            return null;
        }
        String type = f.text("type");
        if (type == null) {
            throw new IllegalArgumentException(f.path + "type is missing (classify, ctc or raw)");
        }
        return switch (type) {
            case "classify" -> new Postprocess.Classify(f.text("labels_file"), f.integer("top_k"), f.bool("softmax"));
            case "ctc" -> new Postprocess.Ctc(f.text("vocab_file"), f.integer("blank_index"), f.bool("space_at_end"));
            case "raw" -> new Postprocess.Raw();
            default -> throw new IllegalArgumentException(
                    f.path + "type '" + type + "' is not one of classify, ctc, raw");
        };
    }

    /**
     * One JSON object's fields by type. An absent or null field reads as null, or as 0 and false for numbers and
     * flags (as databind reads them); a field of the wrong type throws IllegalArgumentException naming its path.
     */
    private record Fields(String path, Map<?, ?> values) {
        String text(String name) {
            return get(name, String.class, "a string");
        }

        int integer(String name) {
            Number n = get(name, Number.class, "a whole number");
            if (n != null && n.doubleValue() != n.intValue()) {
                throw wrong(name, "a whole number", n);
            }
            return n == null ? 0 : n.intValue();
        }

        double decimal(String name) {
            Number n = get(name, Number.class, "a number");
            return n == null ? 0 : n.doubleValue();
        }

        boolean bool(String name) {
            Boolean b = get(name, Boolean.class, "true or false");
            return b != null && b;
        }

        Fields object(String name) {
            Map<?, ?> map = get(name, Map.class, "an object");
            return map == null ? null : new Fields(path + name + ".", map);
        }

        List<Fields> objects(String name) {
            List<?> list = get(name, List.class, "an array of objects");
            if (list == null) {
                return null;
            }
            List<Fields> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof Map<?, ?> map)) {
                    throw wrong(name + "[" + i + "]", "an object", list.get(i));
                }
                out.add(new Fields(path + name + "[" + i + "].", map));
            }
            return out;
        }

        List<Long> integers(String name) {
            List<Number> numbers = numbers(name, "whole numbers");
            return numbers == null ? null : numbers.stream().map(Number::longValue).toList();
        }

        List<Double> decimals(String name) {
            List<Number> numbers = numbers(name, "numbers");
            return numbers == null ? null : numbers.stream().map(Number::doubleValue).toList();
        }

        private List<Number> numbers(String name, String what) {
            List<?> list = get(name, List.class, "an array of " + what);
            if (list == null) {
                return null;
            }
            List<Number> out = new ArrayList<>();
            for (Object item : list) {
                if (!(item instanceof Number n)) {
                    throw wrong(name, "an array of " + what, list);
                }
                out.add(n);
            }
            return out;
        }

        private <T> T get(String name, Class<T> type, String what) {
            Object value = values.get(name);
            if (value != null && !type.isInstance(value)) {
                throw wrong(name, what, value);
            }
            return type.cast(value);
        }

        private IllegalArgumentException wrong(String name, String what, Object value) {
            String shown = value instanceof String text ? "\"" + text + "\"" : String.valueOf(value);
            return new IllegalArgumentException(path + name + " must be " + what + ", not "
                    + (shown.length() > 40 ? shown.substring(0, 40) + "..." : shown));
        }
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
