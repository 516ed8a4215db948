package dev.mldev.image;

import dev.mldev.bundle.Hashes;
import dev.mldev.bundle.Manifest;
import dev.mldev.bundle.ManifestIo;
import dev.mldev.bundle.Postprocess;
import dev.mldev.bundle.Preprocess;
import dev.mldev.bundle.Serving;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A small but valid model bundle directory, as 'mldev package' writes one. */
final class BundleFixture {
    static final String NAME = "flowers";

    private BundleFixture() {}

    static Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path model = dir.resolve("model.onnx");
        Files.write(model, new byte[] {8, 7, 18, 4});
        Files.writeString(dir.resolve("labels.txt"), "daisy\nrose\n");
        Manifest manifest = new Manifest(
                Manifest.SCHEMA,
                NAME,
                "1",
                new Manifest.ModelFile("model.onnx", Hashes.sha256(model)),
                List.of(new Manifest.TensorSpec("input", "float32", List.of(1L, 3L, 224L, 224L))),
                List.of(new Manifest.TensorSpec("logits", "float32", List.of(1L, 2L))),
                new Preprocess(
                        "NCHW",
                        "rgb",
                        Preprocess.Resize.fixed(224, 224),
                        1 / 255.0,
                        List.of(0.485, 0.456, 0.406),
                        List.of(0.229, 0.224, 0.225)),
                new Postprocess.Classify("labels.txt", 1, true),
                Serving.defaults());
        Files.writeString(dir.resolve("mldev.json"), ManifestIo.write(manifest));
        return dir;
    }
}
