package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** package + predict --local on the real PP-OCR models with text rendered here. */
class PredictLocalTest {
    static final List<String> PHRASES = List.of(
            "Hello World 2026",
            "Scale to zero",
            "mldev predicts text",
            "Invoice No. 4711",
            "GPU costs $0.00 idle",
            "Total: 42.50 EUR",
            "ONNX Runtime 1.27",
            "batch size 16, ok?",
            "Berlin 10115 Germany",
            "Call 555-0199 now!");

    @TempDir
    static Path home;

    static Path rec;
    static Path cls;

    @BeforeAll
    static void packageModels() {
        CliRun r = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.REC).toString(),
                "--preset",
                "ppocr-rec",
                "--vocab",
                TestModels.file(TestModels.VOCAB).toString(),
                "--out",
                home.resolve("rec").toString());
        assertThat(r.exitCode).as(r.toString()).isZero();
        rec = home.resolve("rec");
        CliRun c = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.CLS).toString(),
                "--preset",
                "ppocr-cls",
                "--out",
                home.resolve("cls").toString());
        assertThat(c.exitCode).as(c.toString()).isZero();
        cls = home.resolve("cls");
    }

    @Test
    void recognizerReadsRenderedLines() throws Exception {
        List<String> args =
                new ArrayList<>(List.of("predict", "--local", "--model", rec.toString(), "--device", "cpu", "--json"));
        for (int i = 0; i < PHRASES.size(); i++) {
            args.add(TextImages.write(TextImages.line(PHRASES.get(i)), home.resolve("line-" + i + ".png"))
                    .toString());
        }
        CliRun r = CliRun.run(home, args.toArray(String[]::new));
        assertThat(r.exitCode).as(r.toString()).isZero();
        JsonNode results = new ObjectMapper().readTree(r.out);
        assertThat(results).hasSize(PHRASES.size());
        int exact = 0;
        for (int i = 0; i < PHRASES.size(); i++) {
            JsonNode result = results.get(i);
            assertThat(result.get("image").asText()).endsWith("line-" + i + ".png");
            assertThat(result.get("provider").asText()).isEqualTo("CPUExecutionProvider");
            assertThat(result.get("timings_ms").fieldNames())
                    .toIterable()
                    .containsExactly("decode", "preprocess", "inference", "postprocess");
            if (result.get("text").asText().equals(PHRASES.get(i))) {
                exact++;
            }
        }
        assertThat(exact).as(r.out).isGreaterThanOrEqualTo(9);
    }

    @Test
    void classifierTellsUprightFromUpsideDown() {
        List<String> args =
                new ArrayList<>(List.of("predict", "--local", "--model", cls.toString(), "--device", "cpu"));
        for (int i = 0; i < 5; i++) {
            BufferedImage line = TextImages.line(PHRASES.get(i));
            args.add(TextImages.write(line, home.resolve("up-" + i + ".png")).toString());
            args.add(TextImages.write(TextImages.rotated180(line), home.resolve("flip-" + i + ".jpg"))
                    .toString());
        }
        CliRun r = CliRun.run(home, args.toArray(String[]::new));
        assertThat(r.exitCode).as(r.toString()).isZero();
        List<String> lines = r.out.lines().toList();
        assertThat(lines).hasSize(10);
        for (String line : lines) {
            String[] fields = line.split("  ");
            assertThat(fields[1]).as(line).isEqualTo(fields[0].contains("flip-") ? "180" : "0");
            assertThat(Double.parseDouble(fields[2])).as(line).isBetween(0.5, 1.0);
        }
    }

    /** The classifier's probabilities equal ONNX Runtime's on a tensor built here, independently. */
    @Test
    void probabilitiesMatchDirectOnnxRuntimeCall() throws Exception {
        BufferedImage line = TextImages.line("Scale to zero");
        Path png = TextImages.write(line, home.resolve("direct.png"));
        CliRun r = CliRun.run(
                home,
                "predict",
                "--local",
                "--model",
                cls.toString(),
                "--device",
                "cpu",
                "--json",
                "--top-k",
                "2",
                png.toString());
        assertThat(r.exitCode).as(r.toString()).isZero();
        JsonNode top = new ObjectMapper().readTree(r.out).get(0).get("top");

        float[] expected = runDirectly(TestModels.file(TestModels.CLS), clsTensor(line), new long[] {1, 3, 48, 192});
        Map<String, Double> byLabel = Map.of(
                top.get(0).get("label").asText(),
                top.get(0).get("score").asDouble(),
                top.get(1).get("label").asText(),
                top.get(1).get("score").asDouble());
        assertThat(byLabel.get("0")).isCloseTo(expected[0], org.assertj.core.data.Offset.offset(1e-4));
        assertThat(byLabel.get("180")).isCloseTo(expected[1], org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void cpuFallbackIsAnnouncedAndCudaFailsClearly() {
        Path png = TextImages.write(TextImages.line("Hello"), home.resolve("hello.png"));
        CliRun auto = CliRun.run(home, "predict", "--local", "--model", cls.toString(), png.toString());
        assertThat(auto.exitCode).as(auto.toString()).isZero();
        assertThat(auto.err).contains("running on the CPU").hasLineCount(1);

        CliRun cuda =
                CliRun.run(home, "predict", "--local", "--model", cls.toString(), "--device", "cuda", png.toString());
        assertThat(cuda.exitCode).isEqualTo(1);
        assertThat(cuda.err).contains("--device cuda: CUDA cannot be used").doesNotContain("Exception");
        assertThat(cuda.out).isEmpty();
    }

    /** PaddleOCR's classifier input, built the plain way: getRGB per pixel, OpenCV-style bilinear, BGR, pad. */
    static float[] clsTensor(BufferedImage image) {
        int h = 48;
        int w = Math.min(192, (int) Math.ceil(h * image.getWidth() / (double) image.getHeight()));
        float[] out = new float[3 * 48 * 192];
        double sx = image.getWidth() / (double) w;
        double sy = image.getHeight() / (double) h;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                double fy = Math.max(0, (y + 0.5) * sy - 0.5);
                int x0 = Math.min((int) fx, image.getWidth() - 1);
                int y0 = Math.min((int) fy, image.getHeight() - 1);
                int x1 = Math.min(x0 + 1, image.getWidth() - 1);
                int y1 = Math.min(y0 + 1, image.getHeight() - 1);
                double ax = x0 == image.getWidth() - 1 ? 0 : fx - x0;
                double ay = y0 == image.getHeight() - 1 ? 0 : fy - y0;
                for (int c = 0; c < 3; c++) { // c = 0 blue, 1 green, 2 red
                    int shift = 8 * c;
                    double top = channel(image, x0, y0, shift) * (1 - ax) + channel(image, x1, y0, shift) * ax;
                    double bottom = channel(image, x0, y1, shift) * (1 - ax) + channel(image, x1, y1, shift) * ax;
                    double v = top * (1 - ay) + bottom * ay;
                    out[c * 48 * 192 + y * 192 + x] = (float) ((v / 255.0 - 0.5) / 0.5);
                }
            }
        }
        return out;
    }

    private static int channel(BufferedImage image, int x, int y, int shift) {
        return (image.getRGB(x, y) >> shift) & 0xff;
    }

    static float[] runDirectly(Path model, float[] input, long[] shape) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions());
                OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                OrtSession.Result result =
                        session.run(Map.of(session.getInputNames().iterator().next(), tensor))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            return values;
        }
    }
}
