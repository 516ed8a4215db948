package dev.mldev.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.mldev.Environment;
import dev.mldev.bundle.Bundle;
import dev.mldev.deploy.PredictClient;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.ImageDecoder;
import dev.mldev.runtime.Predictor;
import dev.mldev.runtime.Preprocessor;
import dev.mldev.runtime.SessionFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bounded load run against a real `mldev serve` process on loopback, and raw ONNX Runtime on the same model at
 * the batch size the server ran and with the server's thread settings. The load comes from wrk (C, epoll), so the
 * generator takes as little as possible of the cores the server shares with it; a third as long again of untimed
 * load comes first, so that the server's code is compiled. Usage: LoadBench MLDEV_LAUNCHER
 * BUNDLE IMAGES_DIR SECONDS CONCURRENCY WRK_SCRIPT. Prints "key value" lines.
 */
public final class LoadBench {
    public static void main(String[] args) throws Exception {
        String launcher = args[0];
        Path bundle = Path.of(args[1]);
        List<byte[]> images = new ArrayList<>();
        try (var files = Files.list(Path.of(args[2]))) {
            for (Path f : files.sorted().toList()) {
                images.add(Files.readAllBytes(f));
            }
        }
        int seconds = Integer.parseInt(args[3]);
        int concurrency = Integer.parseInt(args[4]);
        Path wrkScript = Path.of(args[5]);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process server = new ProcessBuilder(
                        launcher,
                        "serve",
                        bundle.toString(),
                        "--port",
                        Integer.toString(port),
                        "--device",
                        "cpu",
                        "--max-batch",
                        "16")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String base = "http://127.0.0.1:" + port;
        double batches;
        double batchImages;
        HttpClient http = HttpClient.newHttpClient();
        try {
            awaitHealthy(http, base);
            List<String> bodies = images.stream()
                    .map(b -> PredictClient.body(List.of(new Predictor.Input("x", b)), 0))
                    .toList();
            double firstMs = timeOne(http, base, bodies.get(0));
            double[] warm = new double[20];
            for (int i = 0; i < warm.length; i++) {
                warm[i] = timeOne(http, base, bodies.get(i % bodies.size()));
            }
            System.out.printf("first_request_at_zero_ms %.1f%nwarm_request_ms %.1f%n", firstMs, median(warm));
            // untimed load first: the figures are the JIT-compiled server's, as raw session.run's are
            load(base, bodies, Math.max(3, seconds / 3), concurrency, wrkScript, "warmup_");
            load(base, bodies, seconds, concurrency, wrkScript, "");
            String metrics = get(http, base + "/metrics");
            batches = metric(metrics, "mldev_batch_size_count");
            batchImages = metric(metrics, "mldev_batch_size_sum");
            System.out.printf("server_mean_batch %.2f%n", batchImages / batches);
            System.out.printf("server_peak_rss_mb %.1f%n", peakRssMb(server.pid()));
        } finally {
            server.destroy();
            server.waitFor();
        }
        // with the server gone, so that nothing shares the cores
        int batch = (int) Math.max(1, Math.round(batchImages / batches));
        Bundle verified = Bundle.openVerified(bundle);
        raw(verified, images, batch);
        pipeline(verified, images, batch);
    }

    /**
     * wrk at CONCURRENCY connections for SECONDS, each request one of the bodies in turn; passes its figures on,
     * their names prefixed with {@code prefix}.
     */
    static void load(String base, List<String> bodies, int seconds, int concurrency, Path script, String prefix)
            throws Exception {
        Path dir = Files.createTempDirectory("mldev-load");
        for (int i = 0; i < bodies.size(); i++) {
            Files.writeString(dir.resolve(i + ".json"), bodies.get(i));
        }
        ProcessBuilder wrk = new ProcessBuilder(
                        "wrk",
                        "-t1",
                        "-c" + concurrency,
                        "-d" + seconds + "s",
                        "--timeout",
                        "120s",
                        "-s",
                        script.toString(),
                        base + "/predict")
                .redirectErrorStream(true);
        wrk.environment().put("MLDEV_BODIES", dir.toString());
        wrk.environment().put("MLDEV_BODY_COUNT", Integer.toString(bodies.size()));
        String output;
        try {
            Process process = wrk.start();
            output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException("wrk failed: " + output);
            }
        } finally {
            for (int i = 0; i < bodies.size(); i++) {
                Files.deleteIfExists(dir.resolve(i + ".json"));
            }
            Files.delete(dir);
        }
        output.lines().filter(line -> line.startsWith("load_")).forEach(line -> System.out.println(prefix + line));
        System.out.printf("%sload_concurrency %d%n", prefix, concurrency);
    }

    /**
     * Raw session.run on prebuilt batches of the server's mean batch size, with the server's session settings
     * (threads sleep between runs instead of spinning): images per second. The batches take the images in turn,
     * each padded to its own widest image, as the server pads.
     */
    static void raw(Bundle bundle, List<byte[]> images, int batch) throws Exception {
        Preprocessor preprocessor = new Preprocessor(bundle.manifest().preprocess());
        OrtEnvironment env = SessionFactory.ortEnvironment(false);
        List<ImageDecoder.BgrImage> decoded = new ArrayList<>();
        for (byte[] b : images) {
            decoded.add(ImageDecoder.decode(b, "x"));
        }
        List<OnnxTensor> tensors = new ArrayList<>();
        for (int first = 0; first < decoded.size(); first++) {
            List<ImageDecoder.BgrImage> members = new ArrayList<>();
            for (int j = 0; j < batch; j++) {
                members.add(decoded.get((first * batch + j) % decoded.size()));
            }
            tensors.add(batchTensor(env, preprocessor, members));
        }
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        try (OrtSession session = env.createSession(bundle.modelPath().toString(), options)) {
            String input = session.getInputNames().iterator().next();
            for (OnnxTensor tensor : tensors) {
                session.run(Map.of(input, tensor)).close();
            }
            int runs = 0;
            long start = System.nanoTime();
            while (System.nanoTime() - start < 5_000_000_000L) {
                session.run(Map.of(input, tensors.get(runs % tensors.size()))).close();
                runs++;
            }
            System.out.printf(
                    "raw_batch %d%nraw_images_per_s %.1f%n", batch, runs * batch / ((System.nanoTime() - start) / 1e9));
        } finally {
            tensors.forEach(OnnxTensor::close);
        }
    }

    /** One input tensor holding the images, padded on the right to the widest of them. */
    static OnnxTensor batchTensor(OrtEnvironment env, Preprocessor preprocessor, List<ImageDecoder.BgrImage> images)
            throws Exception {
        int width = 0;
        int height = 0;
        for (ImageDecoder.BgrImage image : images) {
            Preprocessor.Size s = preprocessor.sizeFor(image.width(), image.height());
            width = Math.max(width, s.width());
            height = s.height();
        }
        int item = 3 * height * width;
        float[] data = new float[images.size() * item];
        for (int j = 0; j < images.size(); j++) {
            ImageDecoder.BgrImage image = images.get(j);
            Preprocessor.Size s = preprocessor.sizeFor(image.width(), image.height());
            preprocessor.write(image, new Preprocessor.Size(height, width, s.contentWidth()), data, j * item);
        }
        return OnnxTensor.createTensor(
                env, FloatBuffer.wrap(data), preprocessor.tensorShape(images.size(), height, width));
    }

    /**
     * mldev's in-process pipeline (decode, preprocess, run, decode outputs) on the same batches with the server's
     * settings: what the server could reach without HTTP and JSON. Images per second.
     */
    static void pipeline(Bundle bundle, List<byte[]> images, int batch) {
        List<List<Predictor.Input>> batches = new ArrayList<>();
        for (int first = 0; first < images.size(); first++) {
            List<Predictor.Input> inputs = new ArrayList<>();
            for (int j = 0; j < batch; j++) {
                inputs.add(new Predictor.Input("x", images.get((first * batch + j) % images.size())));
            }
            batches.add(inputs);
        }
        SessionFactory sessions =
                new SessionFactory(new Environment(Map.of(), Path.of("/tmp")), m -> {}, false).withoutSpinning();
        try (Predictor predictor = new Predictor(bundle, sessions.open(bundle.modelPath(), Device.CPU), true)) {
            batches.forEach(inputs -> predictor.predict(inputs, 0));
            int runs = 0;
            long start = System.nanoTime();
            while (System.nanoTime() - start < 5_000_000_000L) {
                predictor.predict(batches.get(runs % batches.size()), 0);
                runs++;
            }
            System.out.printf("pipeline_images_per_s %.1f%n", runs * batch / ((System.nanoTime() - start) / 1e9));
        }
    }

    static HttpRequest post(String base, String body) {
        return HttpRequest.newBuilder(URI.create(base + "/predict"))
                .timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    static double timeOne(HttpClient http, String base, String body) throws Exception {
        long t = System.nanoTime();
        HttpResponse<String> r = http.send(post(base, body), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("status " + r.statusCode() + ": " + r.body());
        }
        return (System.nanoTime() - t) / 1e6;
    }

    static String get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    static void awaitHealthy(HttpClient http, String base) throws Exception {
        for (int i = 0; i < 600; i++) {
            try {
                if (http.send(
                                        HttpRequest.newBuilder(URI.create(base + "/health"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode()
                        == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("server never became healthy");
    }

    static double metric(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** VmHWM: the most resident memory the process had. */
    static double peakRssMb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private LoadBench() {}
}
