package dev.mldev.serve;

import static dev.mldev.serve.ServerHarness.get;
import static dev.mldev.serve.ServerHarness.post;
import static dev.mldev.serve.ServerHarness.predictBody;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mldev serve as its own process: the Vertex AI variables, and SIGTERM with requests in flight. */
class ServeProcessTest {
    @TempDir
    static Path home;

    static Path rec;
    Process process;
    Path log;

    @BeforeAll
    static void packageModel() {
        rec = home.resolve("rec");
        assertThat(CliRun.run(
                                home,
                                "package",
                                TestModels.file(TestModels.REC).toString(),
                                "--preset",
                                "ppocr-rec",
                                "--vocab",
                                TestModels.file(TestModels.VOCAB).toString(),
                                "--out",
                                rec.toString())
                        .exitCode)
                .isZero();
    }

    @AfterEach
    void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    Process serve(Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.mldev.cli.Cli",
                "serve"));
        command.addAll(List.of(args));
        log = home.resolve("serve-" + System.nanoTime() + ".log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        builder.environment().put("XDG_CACHE_HOME", home.resolve("cache").toString());
        return builder.start();
    }

    /**
     * The port the server announced it listens on: started with port 0 it binds a free one itself, so no other
     * process can take the port between choosing and binding it.
     */
    int listeningPort() throws Exception {
        Pattern announced = Pattern.compile("(?m)^mldev serve: listening on http://[^\\s]+:(\\d+)$");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = announced.matcher(Files.readString(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            assertThat(process.isAlive())
                    .as("server exited early: " + Files.readString(log))
                    .isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("server never announced its port: " + Files.readString(log));
    }

    static void awaitHealthy(String url, Process process) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("server exited early").isTrue();
            try {
                if (get(url).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("server not healthy at " + url);
    }

    @Test
    void vertexVariablesOverrideTheFlags() throws Exception {
        process = serve(
                Map.of(
                        "AIP_HTTP_PORT",
                        "0",
                        "AIP_HEALTH_ROUTE",
                        "/v1/endpoints/1/health",
                        "AIP_PREDICT_ROUTE",
                        "/v1/endpoints/1/models/ocr:predict",
                        "AIP_STORAGE_URI",
                        rec.toString()),
                "--port",
                "1");
        int port = listeningPort();
        String base = "http://127.0.0.1:" + port;
        awaitHealthy(base + "/v1/endpoints/1/health", process);
        HttpResponse<String> response = post(
                base + "/v1/endpoints/1/models/ocr:predict",
                predictBody(TextImages.encode(TextImages.line("Vertex serving"), "png")));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new ObjectMapper()
                        .readTree(response.body())
                        .get("predictions")
                        .get(0)
                        .get("text")
                        .asText())
                .isEqualTo("Vertex serving");
        assertThat(get(base + "/predict").statusCode()).isEqualTo(404);
    }

    /** As on Vertex AI: the bundle comes from gs:// (the fake Cloud Storage), with the service account's ADC. */
    /** Cloud Run sets PORT (and K_SERVICE), not AIP_HTTP_PORT: the server listens there, on every interface. */
    @Test
    void cloudRunsPortReplacesTheDefaultPort() throws Exception {
        int free;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            free = socket.getLocalPort();
        }
        process = serve(
                Map.of("PORT", String.valueOf(free), "K_SERVICE", "mldev-ocr", "AIP_STORAGE_URI", rec.toString()));
        assertThat(listeningPort()).isEqualTo(free);
        assertThat(Files.readString(log)).contains("listening on http://0.0.0.0:" + free);
        awaitHealthy("http://127.0.0.1:" + free + "/health", process);
    }

    @Test
    void anExplicitPortWinsOverPort() throws Exception {
        process = serve(Map.of("PORT", "1"), rec.toString(), "--port", "0");
        assertThat(listeningPort()).isNotEqualTo(1);
    }

    @Test
    void bundleFromCloudStorage() throws Exception {
        try (FakeGoogleCloud cloud = new FakeGoogleCloud()) {
            cloud.storage().createBucket("models");
            try (var files = java.nio.file.Files.list(rec)) {
                for (Path file : files.toList()) {
                    cloud.storage()
                            .put(
                                    "models",
                                    "mldev/ocr/v1/" + file.getFileName(),
                                    java.nio.file.Files.readAllBytes(file));
                }
            }
            Map<String, String> env = new java.util.HashMap<>(cloud.environment(home));
            env.put("AIP_HTTP_PORT", "0");
            env.put("AIP_STORAGE_URI", "gs://models/mldev/ocr/v1");
            process = serve(env, "--device", "cpu");
            int port = listeningPort();
            String base = "http://127.0.0.1:" + port;
            awaitHealthy(base + "/health", process);
            HttpResponse<String> response =
                    post(base + "/predict", predictBody(TextImages.encode(TextImages.line("from the bucket"), "png")));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper()
                            .readTree(response.body())
                            .get("predictions")
                            .get(0)
                            .get("text")
                            .asText())
                    .isEqualTo("from the bucket");
        }
    }

    @Test
    void sigtermFinishesRequestsInFlightAndExitsZero() throws Exception {
        process = serve(Map.of(), rec.toString(), "--port", "0", "--preload", "--device", "cpu");
        int port = listeningPort();
        String base = "http://127.0.0.1:" + port;
        awaitHealthy(base + "/health", process);
        byte[][] lines = new byte[12][];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = TextImages.encode(TextImages.line("in flight number " + i), "png");
        }
        String body = predictBody(lines);
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return post(base + "/predict", body);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        while (ServerHarness.metric(get(base + "/metrics").body(), "mldev_requests_in_flight") < calls.size()) {
            Thread.sleep(20); // every request is being handled before the signal
        }
        process.destroy(); // SIGTERM
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            HttpResponse<String> response = call.get(2, TimeUnit.MINUTES);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("in flight number 11");
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
    }

    @Test
    void sigtermWithNothingInFlightExitsAtOnce() throws Exception {
        process = serve(Map.of(), rec.toString(), "--port", "0", "--device", "cpu");
        int port = listeningPort();
        awaitHealthy("http://127.0.0.1:" + port + "/health", process);
        long start = System.nanoTime();
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
}
