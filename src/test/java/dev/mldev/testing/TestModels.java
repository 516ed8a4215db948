package dev.mldev.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the real PP-OCR test models are: -Dmldev.test.models, ../shared/models, or .models (fetched). */
public final class TestModels {
    public static final String REC = "ch_PP-OCRv4_rec_infer.onnx";
    public static final String CLS = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    public static final String DET = "ch_PP-OCRv4_det_infer.onnx";
    public static final String VOCAB = "ppocr_keys_v1.txt";

    private TestModels() {}

    public static Path dir() {
        String property = System.getProperty("mldev.test.models");
        for (String candidate : new String[] {property, "../shared/models", ".models"}) {
            if (candidate != null && Files.isRegularFile(Path.of(candidate, REC))) {
                return Path.of(candidate).toAbsolutePath();
            }
        }
        throw new IllegalStateException("test models not found: run scripts/fetch-test-models first");
    }

    public static Path file(String name) {
        return dir().resolve(name);
    }

    /** The recognizer packaged by the real {@code mldev package} with its preset, as {@code home/rec}. */
    public static Path packageRecognizer(Path home) {
        Path bundle = home.resolve("rec");
        CliRun packaged = CliRun.run(
                home,
                "package",
                file(REC).toString(),
                "--preset",
                "ppocr-rec",
                "--vocab",
                file(VOCAB).toString(),
                "--out",
                bundle.toString());
        if (packaged.exitCode != 0) {
            throw new IllegalStateException("packaging the recognizer failed: " + packaged);
        }
        return bundle;
    }
}
