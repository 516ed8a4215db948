package dev.mldev.image;

import dev.mldev.MainClass;
import dev.mldev.MldevException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * The training run behind a {@link ServeClassArchive}: packages a {@link TrainingModel}, then starts {@code serve}
 * as Vertex AI starts the image (the AIP_* variables, the bundle from AIP_STORAGE_URI) and sends it what a first
 * minute brings: health checks, the demo page, predictions of a PNG and a JPEG alone and together, a bad request,
 * metrics. Both runs list the classes they load ({@code -XX:DumpLoadedClassList}).
 */
final class ServeTraining {
    /** Changes when the training changes, so archives made by an older one are made again. */
    static final String VERSION = "serve-training-1";

    private static final String HEALTH_ROUTE = "/training/health";
    private static final String PREDICT_ROUTE = "/training/predict";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final int OUTPUT_LINES = 5;

    private final Path java;
    private final Path app;
    private final String classPath;
    private final Path nativeDir;

    /**
     * @param app       the working directory the class path is relative to
     * @param nativeDir ONNX Runtime's unpacked libraries
     */
    ServeTraining(Path java, Path app, String classPath, Path nativeDir) {
        this.java = java;
        this.app = app;
        this.classPath = classPath;
        this.nativeDir = nativeDir;
    }

    /** Runs the training in {@code workDir} and returns the merged class list written there. */
    Path classList(Path workDir) throws IOException {
        Path model = Files.write(workDir.resolve("training.onnx"), TrainingModel.bytes());
        Path bundle = workDir.resolve("bundle");
        Path packageList = workDir.resolve("package.classlist");
        runToEnd(
                mldev(
                        packageList,
                        List.of("package", model.toString(), "--preset", "ppocr-cls", "--out", bundle.toString())),
                workDir.resolve("package.log"),
                "packaging the training model");
        Path serveList = workDir.resolve("serve.classlist");
        serve(serveList, bundle, workDir.resolve("serve.log"));
        Set<String> classes = new LinkedHashSet<>(Files.readAllLines(packageList, StandardCharsets.UTF_8));
        classes.addAll(Files.readAllLines(serveList, StandardCharsets.UTF_8));
        return Files.write(workDir.resolve("classlist"), classes, StandardCharsets.UTF_8);
    }

    private void serve(Path classList, Path bundle, Path log) throws IOException {
        int port = freePort();
        ProcessBuilder builder = mldev(classList, List.of("serve", "--host", "127.0.0.1"));
        builder.environment()
                .putAll(Map.of(
                        "AIP_HTTP_PORT",
                        String.valueOf(port),
                        "AIP_HEALTH_ROUTE",
                        HEALTH_ROUTE,
                        "AIP_PREDICT_ROUTE",
                        PREDICT_ROUTE,
                        "AIP_STORAGE_URI",
                        bundle.toString()));
        Process server =
                builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            URI base = URI.create("http://127.0.0.1:" + port);
            awaitHealthy(http, base.resolve(HEALTH_ROUTE), server, log);
            String png = image("png");
            String jpeg = image("jpg");
            send(http, HttpRequest.newBuilder(base.resolve("/")).GET(), server, log);
            for (String instances : List.of(png, jpeg, png + "," + jpeg)) {
                send(http, predict(base, "{\"instances\":[" + instances + "]}"), server, log);
            }
            send(http, HttpRequest.newBuilder(base.resolve("/metrics")).GET(), server, log);
            send(http, HttpRequest.newBuilder(base.resolve(HEALTH_ROUTE)).GET(), server, log);
            // last: the server closes the connection after a bad request
            send(http, predict(base, "{\"instances\":"), server, log);
        } finally {
            stop(server);
        }
    }

    /** Waits until the health route answers 200; fails with the server's output if it exits or takes too long. */
    private static void awaitHealthy(HttpClient http, URI health, Process server, Path log) throws IOException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!server.isAlive()) {
                throw failed("the training server exited (" + server.exitValue() + ") before it was healthy", log);
            }
            try {
                HttpResponse<Void> answer = http.send(
                        HttpRequest.newBuilder(health).timeout(REQUEST_TIMEOUT).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() == 200) {
                    return;
                }
            } catch (ConnectException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw MldevException.failure("interrupted while training the class archive", null);
            }
            sleep(Duration.ofMillis(50));
        }
        throw failed("the training server was not healthy within " + START_TIMEOUT.toSeconds() + " s", log);
    }

    private static void send(HttpClient http, HttpRequest.Builder request, Process server, Path log)
            throws IOException {
        try {
            http.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MldevException.failure("interrupted while training the class archive", null);
        } catch (IOException e) {
            throw failed("the training server did not answer " + request.build().uri() + ": " + e.getMessage(), log);
        }
        if (!server.isAlive()) {
            throw failed("the training server exited (" + server.exitValue() + ") while answering", log);
        }
    }

    private static HttpRequest.Builder predict(URI base, String body) {
        return HttpRequest.newBuilder(base.resolve(PREDICT_ROUTE))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    /** A text-line-shaped image (bars, not glyphs: the build machine may have no fonts) as {@code {"b64": ...}}. */
    private static String image(String format) {
        BufferedImage image = new BufferedImage(240, 48, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        for (int x = 10; x < image.getWidth() - 20; x += 24) {
            g.fillRect(x, 10, 14, 28);
        }
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, format, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "{\"b64\":\"" + Base64.getEncoder().encodeToString(bytes.toByteArray()) + "\"}";
    }

    /** Ends the server as a platform does (SIGTERM), which also ends its class list; kills it if it hangs. */
    private static void stop(Process server) {
        server.destroy();
        try {
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a step of the training to its end, its output to {@code log}; fails with the log's last lines. */
    static void runToEnd(ProcessBuilder builder, Path log, String doing) throws IOException {
        Process process =
                builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        process.getOutputStream().close();
        try {
            if (!process.waitFor(STEP_TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw failed(doing + " took over " + STEP_TIMEOUT.toMinutes() + " minutes", log);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw MldevException.failure("interrupted while " + doing, null);
        }
        if (process.exitValue() != 0) {
            throw failed(doing + " failed (exit " + process.exitValue() + ")", log);
        }
    }

    /** mldev with the image's class path and options, listing the classes it loads. */
    private ProcessBuilder mldev(Path classList, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(
                java.toString(),
                "-XX:DumpLoadedClassList=" + classList,
                "-D" + OnnxRuntimeNatives.PATH_PROPERTY + "=" + nativeDir,
                "-cp",
                classPath,
                MainClass.NAME));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).directory(app.toFile());
        // the training's own cache, so that nothing of the user's (settings, cached models) changes what it loads
        builder.environment().put("XDG_CACHE_HOME", app.resolveSibling("cache").toString());
        builder.environment()
                .put("XDG_CONFIG_HOME", app.resolveSibling("config").toString());
        builder.environment().put("XDG_STATE_HOME", app.resolveSibling("state").toString());
        return builder;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MldevException.failure("interrupted while training the class archive", null);
        }
    }

    private static MldevException failed(String what, Path log) {
        try {
            return failed(what, Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "");
        } catch (IOException e) {
            return failed(what, "");
        }
    }

    /** The build fails: the image's java and jars could not do here what the container would do. */
    private static MldevException failed(String what, String output) {
        return MldevException.failure(
                "cannot make the serving image's class archive: " + what
                        + (output.isBlank() ? "" : "; its last output: " + lastLines(output)),
                "the image's java and jars must run serve on this machine; pass --no-class-archive to build "
                        + "without the archive");
    }

    private static String lastLines(String output) {
        List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - OUTPUT_LINES), lines.size()));
    }
}
