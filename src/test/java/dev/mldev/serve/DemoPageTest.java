package dev.mldev.serve;

import static dev.mldev.serve.ServerHarness.get;
import static dev.mldev.serve.ServerHarness.post;
import static dev.mldev.serve.ServerHarness.predictBody;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mldev.Environment;
import dev.mldev.bundle.Bundle;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.SessionFactory;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo page, its description of the model, the bundle's examples (and nothing else from disk), the rate limit. */
class DemoPageTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    static Path rec;
    static byte[] example;

    PredictServer server;

    @BeforeAll
    static void packageWithExamples() {
        rec = home.resolve("rec");
        example = TextImages.encode(TextImages.line("hello demo"), "png");
        Path image = home.resolve("line.png");
        Path jpeg = TextImages.write(TextImages.line("second"), home.resolve("second.jpeg"));
        try {
            Files.write(image, example);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        CliRun run = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.REC).toString(),
                "--preset",
                "ppocr-rec",
                "--vocab",
                TestModels.file(TestModels.VOCAB).toString(),
                "--out",
                rec.toString(),
                "--title",
                "Read a line",
                "--description",
                "PP-OCRv4 reads one line of printed text.",
                "--example",
                image.toString(),
                jpeg.toString());
        assertThat(run.exitCode).as(run.toString()).isZero();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String start(RateLimit limit) {
        ServeOptions options = new ServeOptions(
                rec,
                "127.0.0.1",
                0,
                "/health",
                "/predict",
                Duration.ofMinutes(5),
                false,
                16,
                Duration.ofMillis(5),
                null,
                Device.CPU,
                ServeOptions.DEFAULT_MAX_BODY_BYTES,
                limit);
        server = PredictServer.start(
                options, Bundle.open(rec), new SessionFactory(new Environment(Map.of(), home), m -> {}, false));
        return "http://127.0.0.1:" + server.port();
    }

    @Test
    void thePageItsFilesAndTheModelsDescriptionAreServed() throws Exception {
        String base = start(null);
        HttpResponse<String> page = get(base + "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'none'", "script-src 'self'");
        assertThat(page.body())
                .contains("<script src=\"demo.js\"></script>", "<link rel=\"stylesheet\" href=\"demo.css\">")
                .doesNotContain("http://", "https://"); // nothing from a CDN: the page works offline
        assertThat(get(base + "/demo.js").body()).contains("predict_route");
        assertThat(get(base + "/demo.js").headers().firstValue("Content-Type"))
                .hasValue("text/javascript; charset=utf-8");
        assertThat(get(base + "/demo.css").headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");

        JsonNode info = JSON.readTree(get(base + "/demo.json").body());
        assertThat(info.get("title").asText()).isEqualTo("Read a line");
        assertThat(info.get("description").asText()).isEqualTo("PP-OCRv4 reads one line of printed text.");
        assertThat(info.get("name").asText()).isEqualTo("ch_PP-OCRv4_rec_infer");
        assertThat(info.get("kind").asText()).isEqualTo("text");
        assertThat(info.get("predict_route").asText()).isEqualTo("/predict");
        assertThat(info.get("model_loaded").asBoolean()).isFalse();
        assertThat(info.has("rate_limit_per_minute")).isFalse();
        assertThat(JSON.convertValue(info.get("examples"), String[].class)).containsExactly("examples/1", "examples/2");

        HttpResponse<byte[]> first = ServerHarness.HTTP.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/examples/1"))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo(example);
        assertThat(first.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(get(base + "/examples/2").headers().firstValue("Content-Type"))
                .hasValue("image/jpeg");
        assertThat(post(base + "/", "x").statusCode()).isEqualTo(405);
    }

    @Test
    void examplesServeOnlyTheListedFilesAndNothingElseFromDisk() throws Exception {
        String base = start(null);
        int port = server.port();
        for (String path : new String[] {
            "/examples/0",
            "/examples/3",
            "/examples/01",
            "/examples/",
            "/examples/1/",
            "/examples/../mldev.json",
            "/examples/%2e%2e/mldev.json",
            "/examples/..%2fmldev.json",
            "/examples/example-1.png",
            "/examples/model.onnx",
            "/examples//etc/passwd",
            "/examples/1%00.png",
            "/mldev.json",
            "/model.onnx",
            "/vocab.txt",
            "/example-1.png",
            "/index.html",
            "/../mldev.json"
        }) {
            String answer = rawGet(port, path);
            assertThat(answer).as(path).startsWith("HTTP/1.1 404").doesNotContain("sha256", "\"schema\"");
        }
        assertThat(get(base + "/examples/1").statusCode()).isEqualTo(200);
    }

    /** Sends the path as it is, so no client normalises the dots away first. */
    private static String rawGet(int port, String path) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aClientOverTheRateLimitGets429WithRetryAfterAndOthersAreNotHeldUp() throws Exception {
        String base = start(new RateLimit(2));
        assertThat(JSON.readTree(get(base + "/demo.json").body())
                        .get("rate_limit_per_minute")
                        .asInt())
                .isEqualTo(2);
        String body = predictBody(example);
        assertThat(post(base + "/predict", body).statusCode()).isEqualTo(200);
        assertThat(post(base + "/predict", body).statusCode()).isEqualTo(200);
        HttpResponse<String> limited = post(base + "/predict", body);
        assertThat(limited.statusCode()).isEqualTo(429);
        long retryAfter =
                Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 30L); // 2/min: a token each 30 s
        JsonNode error = JSON.readTree(limited.body());
        assertThat(error.get("rate_limited").asBoolean()).isTrue();
        assertThat(error.get("error").asText())
                .isEqualTo("rate limit: this address may make 2 predictions a minute; retry in " + retryAfter + " s");
        assertThat(get(base + "/health").statusCode())
                .as("only predictions are limited")
                .isEqualTo(200);
        assertThat(get(base + "/").statusCode()).isEqualTo(200);
        assertThat(ServerHarness.metric(
                        get(base + "/metrics").body(), "mldev_requests_total{route=\"predict\",status=\"429\"}"))
                .isEqualTo(1);
    }

    @Test
    void withoutALimitManyPredictionsPass() throws Exception {
        String base = start(null);
        String body = predictBody(example);
        for (int i = 0; i < 5; i++) {
            assertThat(post(base + "/predict", body).statusCode()).isEqualTo(200);
        }
    }
}
