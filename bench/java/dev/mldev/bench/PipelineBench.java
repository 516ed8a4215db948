package dev.mldev.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.mldev.Environment;
import dev.mldev.bundle.Bundle;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.ImageDecoder;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import dev.mldev.runtime.Preprocessor;
import dev.mldev.runtime.SessionFactory;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * In one process, on the recognizer: (1) per-stage times for one line, (2) mldev's whole pipeline over many
 * lines against raw ONNX Runtime session.run on tensors built beforehand, with the same session settings. The
 * two alternate in blocks of 50 lines, so a busy machine slows both alike and their ratio stays fair; not line by
 * line, where the two sessions' weights evict each other from the caches (that halved both figures).
 * Usage: PipelineBench BUNDLE STAGE_IMAGE.png LINES_DIR ROUNDS. Prints "key value" lines.
 */
public final class PipelineBench {
    private static final int BLOCK = 50;

    public static void main(String[] args) throws Exception {
        Bundle bundle = Bundle.openVerified(Path.of(args[0]));
        byte[] stageImage = Files.readAllBytes(Path.of(args[1]));
        List<Predictor.Input> lines = new ArrayList<>();
        try (var files = Files.list(Path.of(args[2]))) {
            for (Path file : files.sorted().toList()) {
                lines.add(new Predictor.Input(file.toString(), Files.readAllBytes(file)));
            }
        }
        int rounds = Integer.parseInt(args[3]);
        SessionFactory sessions = new SessionFactory(new Environment(Map.of(), Path.of("/tmp")), m -> {}, false);
        try (Predictor predictor = new Predictor(bundle, sessions.open(bundle.modelPath(), Device.CPU), false);
                RawRunner raw = new RawRunner(bundle, lines)) {
            stages(predictor, stageImage);
            long pipelineNanos = 0;
            long rawNanos = 0;
            for (int r = -1; r < rounds; r++) { // round -1 warms both up
                for (int from = 0; from < lines.size(); from += BLOCK) {
                    int to = Math.min(lines.size(), from + BLOCK);
                    long t0 = System.nanoTime();
                    for (int i = from; i < to; i++) {
                        predictor.predict(List.of(lines.get(i)), 0);
                    }
                    long t1 = System.nanoTime();
                    for (int i = from; i < to; i++) {
                        raw.run(i);
                    }
                    long t2 = System.nanoTime();
                    if (r >= 0) {
                        pipelineNanos += t1 - t0;
                        rawNanos += t2 - t1;
                    }
                }
            }
            int images = rounds * lines.size();
            System.out.printf(
                    "pipeline_images_per_s %.1f%nraw_images_per_s %.1f%n",
                    images / (pipelineNanos / 1e9), images / (rawNanos / 1e9));
        }
    }

    /** Median per-stage milliseconds over 50 runs of one image, after 10 warm-up runs. */
    static void stages(Predictor predictor, byte[] image) {
        List<Predictor.Input> one = List.of(new Predictor.Input("stage", image));
        for (int i = 0; i < 10; i++) {
            predictor.predict(one, 0);
        }
        double[][] t = new double[4][50];
        for (int i = 0; i < 50; i++) {
            Prediction.Timings timings = predictor.predict(one, 0).get(0).timingsMs();
            t[0][i] = timings.decode();
            t[1][i] = timings.preprocess();
            t[2][i] = timings.inference();
            t[3][i] = timings.postprocess();
        }
        String[] names = {"decode", "preprocess", "inference", "postprocess"};
        for (int s = 0; s < 4; s++) {
            System.out.printf("stage_%s_ms %.3f%n", names[s], median(t[s]));
        }
    }

    /** The limit: session.run alone on tensors built beforehand, with the same options as mldev's sessions. */
    static final class RawRunner implements AutoCloseable {
        private final OrtSession session;
        private final String input;
        private final List<OnnxTensor> tensors = new ArrayList<>();

        RawRunner(Bundle bundle, List<Predictor.Input> lines) throws Exception {
            Preprocessor preprocessor = new Preprocessor(bundle.manifest().preprocess());
            OrtEnvironment env = SessionFactory.ortEnvironment(false);
            for (Predictor.Input line : lines) {
                ImageDecoder.BgrImage image = ImageDecoder.decode(line.bytes(), line.name());
                Preprocessor.Size size = preprocessor.sizeFor(image.width(), image.height());
                float[] data = new float[3 * size.height() * size.width()];
                preprocessor.write(image, size, data, 0);
                tensors.add(OnnxTensor.createTensor(
                        env, FloatBuffer.wrap(data), preprocessor.tensorShape(1, size.height(), size.width())));
            }
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
            session = env.createSession(bundle.modelPath().toString(), options);
            input = session.getInputNames().iterator().next();
        }

        void run(int i) throws Exception {
            session.run(Map.of(input, tensors.get(i))).close();
        }

        @Override
        public void close() throws Exception {
            tensors.forEach(OnnxTensor::close);
            session.close();
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private PipelineBench() {}
}
