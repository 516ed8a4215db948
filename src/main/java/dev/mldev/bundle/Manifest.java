package dev.mldev.bundle;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * {@code mldev.json}, schema 1: everything needed to run a model without guessing. Field names are
 * snake_case in the file (see {@link ManifestIo}); the README documents each one. {@code demo} is optional (null
 * when absent, and then not written, so bundles without it are as before).
 */
public record Manifest(
        int schema,
        String name,
        String version,
        ModelFile model,
        List<TensorSpec> inputs,
        List<TensorSpec> outputs,
        Preprocess preprocess,
        Postprocess postprocess,
        Serving serving,
        @JsonInclude(JsonInclude.Include.NON_NULL) Demo demo) {

    public static final int SCHEMA = 1;

    /** A manifest without a demo section. */
    public Manifest(
            int schema,
            String name,
            String version,
            ModelFile model,
            List<TensorSpec> inputs,
            List<TensorSpec> outputs,
            Preprocess preprocess,
            Postprocess postprocess,
            Serving serving) {
        this(schema, name, version, model, inputs, outputs, preprocess, postprocess, serving, null);
    }

    /** The ONNX file inside the bundle and the sha256 it must still have. */
    public record ModelFile(String file, String sha256) {}

    /** A model input or output as ONNX Runtime reports it; -1 marks a dynamic dimension. */
    public record TensorSpec(String name, String type, List<Long> shape) {}

    public Manifest withServing(Serving newServing) {
        return new Manifest(schema, name, version, model, inputs, outputs, preprocess, postprocess, newServing, demo);
    }

    public Manifest withDemo(Demo newDemo) {
        return new Manifest(schema, name, version, model, inputs, outputs, preprocess, postprocess, serving, newDemo);
    }
}
