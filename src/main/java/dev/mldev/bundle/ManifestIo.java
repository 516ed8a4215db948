package dev.mldev.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mldev.MldevException;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes {@code mldev.json}, refusing unknown schemas and missing fields with one clear line. */
public final class ManifestIo {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ManifestIo() {
    }

    public static String write(Manifest manifest) {
        try {
            return JSON.writeValueAsString(manifest) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise manifest", e);
        }
    }

    /** Parses and validates; {@code where} names the file in error messages. */
    public static Manifest read(String json, String where) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw MldevException.failure(where + " is not valid JSON: " + e.getOriginalMessage(),
                    "re-create the bundle with 'mldev package'");
        }
        JsonNode schema = tree == null ? null : tree.get("schema");
        if (schema == null || !schema.canConvertToInt()) {
            throw MldevException.failure(where + " has no \"schema\" field", "re-create the bundle with 'mldev package'");
        }
        if (schema.asInt() != Manifest.SCHEMA) {
            throw MldevException.failure(where + " has schema " + schema.asText() + "; this mldev reads schema "
                    + Manifest.SCHEMA, "upgrade mldev, or re-create the bundle with this version's 'mldev package'");
        }
        Manifest manifest;
        try {
            manifest = JSON.treeToValue(tree, Manifest.class);
        } catch (JsonProcessingException e) {
            throw MldevException.failure(where + ": " + e.getOriginalMessage(), "re-create the bundle with 'mldev package'");
        }
        List<String> missing = missingFields(manifest);
        if (!missing.isEmpty()) {
            throw MldevException.failure(where + " is missing " + String.join(", ", missing),
                    "re-create the bundle with 'mldev package'");
        }
        return manifest;
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
