package dev.mldev.deploy.vertex;

import dev.mldev.bundle.Bundle;
import dev.mldev.bundle.Hashes;
import dev.mldev.bundle.Manifest;
import dev.mldev.bundle.ManifestIo;
import dev.mldev.bundle.Postprocess;
import dev.mldev.bundle.Preprocess;
import dev.mldev.bundle.Serving;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A small bundle on disk for deploy tests: the files a deploy uploads, with a manifest that verifies. */
final class TestBundle {
    static final String IMAGE = "us-docker.pkg.dev/mldev-test-project/mldev/serve:1";

    private TestBundle() {}

    static Bundle write(Path dir, String name, String version, byte[] model) {
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve("model.onnx"), model);
            Files.writeString(dir.resolve("labels.txt"), "cat\ndog\n");
            Manifest manifest = new Manifest(
                    Manifest.SCHEMA,
                    name,
                    version,
                    new Manifest.ModelFile("model.onnx", Hashes.sha256(dir.resolve("model.onnx"))),
                    List.of(new Manifest.TensorSpec("x", "float", List.of(1L, 3L, 8L, 8L))),
                    List.of(new Manifest.TensorSpec("y", "float", List.of(1L, 2L))),
                    new Preprocess(
                            "NCHW",
                            "rgb",
                            Preprocess.Resize.fixed(8, 8),
                            1 / 255.0,
                            List.of(0.5, 0.5, 0.5),
                            List.of(0.5, 0.5, 0.5)),
                    new Postprocess.Classify("labels.txt", 2, true),
                    Serving.defaults().withImage(IMAGE));
            Files.writeString(dir.resolve(Bundle.MANIFEST), ManifestIo.write(manifest));
            return Bundle.openVerified(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
