package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input gets a non-zero exit and at most three lines naming the file, without a stack trace. */
class BadInputTest {
    @TempDir
    static Path home;

    static Path cls;
    static Path goodImage;

    @BeforeAll
    static void setUp() {
        cls = home.resolve("cls");
        CliRun r = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.CLS).toString(),
                "--preset",
                "ppocr-cls",
                "--out",
                cls.toString());
        assertThat(r.exitCode).as(r.toString()).isZero();
        goodImage = TextImages.write(TextImages.line("fine"), home.resolve("fine.png"));
    }

    static void assertRefused(CliRun r, int exitCode, String... mentions) {
        assertThat(r.exitCode).as(r.toString()).isEqualTo(exitCode);
        assertThat(r.err)
                .as(r.toString())
                .contains(mentions)
                .doesNotContain("\tat ")
                .doesNotContain("Exception");
        assertThat(r.err.lines().count()).as(r.err).isBetween(1L, 3L);
        assertThat(r.out).isEmpty();
    }

    CliRun predict(Path image) {
        return CliRun.run(home, "predict", "--local", "--device", "cpu", "--model", cls.toString(), image.toString());
    }

    @Test
    void missingImage() {
        assertRefused(predict(home.resolve("nope.png")), 1, "nope.png", "does not exist");
    }

    @Test
    void directoryWithoutImages() throws IOException {
        Path empty = Files.createDirectories(home.resolve("empty-dir/sub"));
        Files.writeString(empty.resolve("notes.txt"), "not an image");
        assertRefused(
                predict(empty.getParent()),
                1,
                empty.getParent().toString(),
                "has no PNG, JPEG, BMP or GIF files",
                "--recursive");
    }

    @Test
    void notAnImage() throws IOException {
        Path text = Files.writeString(home.resolve("notes.png"), "just some text, not pixels");
        assertRefused(predict(text), 1, "notes.png", "not an image", "hint:");
    }

    @Test
    void truncatedPng() throws IOException {
        byte[] png = TextImages.encode(TextImages.line("cut short"), "png");
        Path cut = Files.write(home.resolve("cut.png"), Arrays.copyOf(png, png.length / 2));
        assertRefused(predict(cut), 1, "cut.png", "damaged or truncated");
    }

    @Test
    void truncatedJpeg() throws IOException {
        byte[] jpg = TextImages.encode(TextImages.line("cut short"), "jpg");
        Path cut = Files.write(home.resolve("cut.jpg"), Arrays.copyOf(jpg, jpg.length / 2));
        assertRefused(predict(cut), 1, "cut.jpg", "damaged or truncated");
    }

    @Test
    void zeroPixelImage() throws IOException {
        Path empty = Files.write(home.resolve("empty.png"), TextImages.pngHeaderOnly(0, 10));
        assertRefused(predict(empty), 1, "empty.png");
    }

    @Test
    void hugeDeclaredImageIsRefusedBeforeDecoding() throws IOException {
        Path bomb = Files.write(home.resolve("bomb.png"), TextImages.pngHeaderOnly(30000, 30000));
        assertRefused(predict(bomb), 1, "bomb.png", "30000x30000", "megapixels");
    }

    @Test
    void truncatedOnnxModel() throws IOException {
        byte[] model = Files.readAllBytes(TestModels.file(TestModels.CLS));
        Path cut = Files.write(home.resolve("cut.onnx"), Arrays.copyOf(model, model.length / 3));
        CliRun r = CliRun.run(
                home,
                "package",
                cut.toString(),
                "--preset",
                "ppocr-cls",
                "--out",
                home.resolve("x").toString());
        assertRefused(r, 1, "cut.onnx", "ONNX Runtime cannot load");
        assertThat(home.resolve("x")).doesNotExist();
    }

    @Test
    void notOnnxAtAll() throws IOException {
        Path fake = Files.writeString(home.resolve("fake.onnx"), "<html>not a model</html>");
        CliRun r = CliRun.run(
                home,
                "package",
                fake.toString(),
                "--preset",
                "ppocr-cls",
                "--out",
                home.resolve("y").toString());
        assertRefused(r, 1, "fake.onnx", "ONNX Runtime cannot load");
    }

    @Test
    void bundleWithoutManifest() throws IOException {
        Path dir = Files.createDirectories(home.resolve("no-manifest"));
        CliRun r = CliRun.run(home, "predict", "--local", "--model", dir.toString(), goodImage.toString());
        assertRefused(r, 1, "no-manifest", "has no mldev.json");
    }

    @Test
    void manifestWithUnknownSchema() throws IOException {
        Path copy = copyBundle("schema9");
        Path manifest = copy.resolve("mldev.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"schema\" : 1", "\"schema\" : 9"));
        CliRun r = CliRun.run(home, "predict", "--local", "--model", copy.toString(), goodImage.toString());
        assertRefused(r, 1, "schema 9", "reads schema 1");
    }

    @Test
    void manifestWithMissingFields() throws IOException {
        Path copy = copyBundle("missing");
        Path manifest = copy.resolve("mldev.json");
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(manifest.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("model")).remove("sha256");
        Files.writeString(manifest, tree.toString());
        CliRun r = CliRun.run(home, "predict", "--local", "--model", copy.toString(), goodImage.toString());
        assertRefused(r, 1, "is missing model.sha256");
    }

    @Test
    void tamperedModel() throws IOException {
        Path copy = copyBundle("tampered");
        Path model = copy.resolve("model.onnx");
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length - 1] ^= 1;
        Files.write(model, bytes);
        CliRun r = CliRun.run(home, "predict", "--local", "--model", copy.toString(), goodImage.toString());
        assertRefused(r, 1, "model.onnx", "changed after packaging");
    }

    /** A model changed in place after a verified run, with its modification time set back, is still caught. */
    @Test
    void tamperedAfterAVerifiedRunDespiteRestoredModificationTime() throws IOException {
        Path copy = copyBundle("tampered-later");
        CliRun first = CliRun.run(
                home, "predict", "--local", "--device", "cpu", "--model", copy.toString(), goodImage.toString());
        assertThat(first.exitCode).as(first.toString()).isZero();
        Path model = copy.resolve("model.onnx");
        var modified = Files.getLastModifiedTime(model);
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length / 2] ^= 1;
        Files.write(model, bytes);
        Files.setLastModifiedTime(model, modified);
        CliRun r = CliRun.run(home, "predict", "--local", "--model", copy.toString(), goodImage.toString());
        assertRefused(r, 1, "model.onnx", "changed after packaging");
    }

    @Test
    void recognizerPresetWithoutVocabulary() {
        CliRun r = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.REC).toString(),
                "--preset",
                "ppocr-rec",
                "--out",
                home.resolve("rec").toString());
        assertRefused(r, 2, "needs the recognizer's vocabulary", "--vocab");
    }

    @Test
    void labelsThatDoNotMatchTheModel() throws IOException {
        Path labels = Files.writeString(home.resolve("three.txt"), "a\nb\nc\n");
        CliRun r = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.CLS).toString(),
                "--height",
                "48",
                "--max-width",
                "192",
                "--color",
                "bgr",
                "--labels",
                labels.toString(),
                "--out",
                home.resolve("z").toString());
        assertRefused(r, 2, "three.txt has 3 lines", "outputs 2 classes");
    }

    @Test
    void unknownFlagIsAUsageError() {
        CliRun r = CliRun.run(home, "predict", "--frobnicate", goodImage.toString());
        assertRefused(r, 2, "--frobnicate", "mldev predict --help");
    }

    @Test
    void verboseShowsTheStackTrace() {
        CliRun r = CliRun.run(
                home,
                "predict",
                "--verbose",
                "--local",
                "--model",
                cls.toString(),
                home.resolve("nope.png").toString());
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err).contains("does not exist").contains("\tat ");
    }

    private Path copyBundle(String name) throws IOException {
        Path copy = Files.createDirectories(home.resolve(name));
        try (var files = Files.list(cls)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        return copy;
    }
}
