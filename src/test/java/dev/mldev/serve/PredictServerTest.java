package dev.mldev.serve;

import static dev.mldev.serve.ServerHarness.get;
import static dev.mldev.serve.ServerHarness.metric;
import static dev.mldev.serve.ServerHarness.post;
import static dev.mldev.serve.ServerHarness.predictBody;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mldev.Environment;
import dev.mldev.bundle.Bundle;
import dev.mldev.runtime.BlankPng;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.SessionFactory;
import dev.mldev.runtime.TensorBudget;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prediction server in this JVM, over real HTTP on loopback, with the real models. */
class PredictServerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    static Path rec;
    static Path cls;

    PredictServer server;

    @BeforeAll
    static void packageModels() {
        rec = home.resolve("rec");
        cls = home.resolve("cls");
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
        assertThat(CliRun.run(
                                home,
                                "package",
                                TestModels.file(TestModels.CLS).toString(),
                                "--preset",
                                "ppocr-cls",
                                "--out",
                                cls.toString())
                        .exitCode)
                .isZero();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    String start(Path bundle, Duration idleUnload, boolean preload, String token) throws Exception {
        return start(bundle, idleUnload, preload, token, ServeLimits.DEFAULT);
    }

    String start(Path bundle, Duration idleUnload, boolean preload, String token, ServeLimits limits) throws Exception {
        ServeOptions options = new ServeOptions(
                bundle,
                "127.0.0.1",
                0,
                "/health",
                "/predict",
                idleUnload,
                preload,
                16,
                Duration.ofMillis(5),
                token,
                Device.CPU,
                ServeOptions.DEFAULT_MAX_BODY_BYTES);
        server = PredictServer.start(
                options,
                limits,
                Bundle.open(bundle),
                new SessionFactory(new Environment(Map.of(), home), m -> {}, false));
        return "http://127.0.0.1:" + server.port();
    }

    static byte[] line(String text) {
        return TextImages.encode(TextImages.line(text), "png");
    }

    @Test
    void servesPredictionsHealthAndMetrics() throws Exception {
        String url = start(rec, Duration.ofMinutes(10), false, null);
        HttpResponse<String> health = get(url + "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).get("model_loaded").asBoolean()).isFalse();

        HttpResponse<String> response =
                post(url + "/predict", predictBody(line("Scale to zero"), line("Hello World 2026")));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode predictions = JSON.readTree(response.body()).get("predictions");
        assertThat(predictions).hasSize(2);
        assertThat(predictions.get(0).get("text").asText()).isEqualTo("Scale to zero");
        assertThat(predictions.get(1).get("text").asText()).isEqualTo("Hello World 2026");
        assertThat(predictions.get(0).has("timings_ms")).isTrue();

        String metrics = get(url + "/metrics").body();
        assertThat(metric(metrics, "mldev_model_loaded")).isEqualTo(1.0);
        assertThat(metric(metrics, "mldev_requests_total{route=\"predict\",status=\"200\"}"))
                .isEqualTo(1.0);
        assertThat(metrics)
                .contains(
                        "mldev_request_duration_seconds_bucket",
                        "mldev_batch_size_bucket",
                        "mldev_seconds_since_last_request",
                        "mldev_model_load_seconds");
    }

    @Test
    void unloadsWhenIdleAndReloadsOnTheNextRequest() throws Exception {
        String url = start(cls, Duration.ofMillis(300), true, null);
        assertThat(metric(get(url + "/metrics").body(), "mldev_model_loaded")).isEqualTo(1.0);
        waitForMetric(url, "mldev_model_loaded", 0.0);
        assertThat(post(url + "/predict", predictBody(line("again"))).statusCode())
                .isEqualTo(200);
        String metrics = get(url + "/metrics").body();
        assertThat(metric(metrics, "mldev_model_loads_total")).isEqualTo(2.0); // preload, then the reload
    }

    @Test
    void hundredConcurrentRequestsAtZeroCauseOneLoad() throws Exception {
        String url = start(cls, Duration.ofMinutes(10), false, null);
        String body = predictBody(line("concurrent"));
        ExecutorService pool = Executors.newFixedThreadPool(100);
        try {
            List<Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(pool.submit(() -> post(url + "/predict", body)));
            }
            for (Future<HttpResponse<String>> call : calls) {
                assertThat(call.get().statusCode()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        String metrics = get(url + "/metrics").body();
        assertThat(metric(metrics, "mldev_model_loads_total")).isEqualTo(1.0);
        assertThat(metric(metrics, "mldev_requests_total{route=\"predict\",status=\"200\"}"))
                .isEqualTo(100.0);
    }

    @Test
    void concurrentCallersEachGetTheirOwnAnswerFromSharedBatches() throws Exception {
        String url = start(rec, Duration.ofMinutes(10), true, null);
        List<String> phrases = List.of(
                "alpha 1",
                "Bravo two",
                "charlie 3!",
                "Delta 44",
                "echo five",
                "Foxtrot 6",
                "golf 777",
                "Hotel eight",
                "India 9",
                "juliet ten",
                "Kilo 11",
                "lima 12");
        ExecutorService pool = Executors.newFixedThreadPool(phrases.size());
        try {
            List<Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (String phrase : phrases) {
                calls.add(pool.submit(() -> post(url + "/predict", predictBody(line(phrase)))));
            }
            for (int i = 0; i < phrases.size(); i++) {
                HttpResponse<String> response = calls.get(i).get();
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(response.body())
                                .get("predictions")
                                .get(0)
                                .get("text")
                                .asText())
                        .isEqualTo(phrases.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
        String metrics = get(url + "/metrics").body();
        // fewer model runs than requests: some requests shared a batch
        assertThat(metric(metrics, "mldev_batch_size_count")).isLessThan(phrases.size());
    }

    @Test
    void bearerTokenIsRequiredWhenSet() throws Exception {
        String url = start(cls, Duration.ofMinutes(10), false, "s3cret-token");
        String body = predictBody(line("auth"));
        assertThat(post(url + "/predict", body).statusCode()).isEqualTo(401);
        assertThat(post(url + "/predict", body, "Authorization", "Bearer wrong").statusCode())
                .isEqualTo(401);
        assertThat(post(url + "/predict", body, "Authorization", "Bearer s3cret-token")
                        .statusCode())
                .isEqualTo(200);
        assertThat(post(url + "/predict", body, "Authorization", "bearer s3cret-token")
                        .statusCode())
                .as("the scheme is case-insensitive (RFC 9110)")
                .isEqualTo(200);
        assertThat(post(url + "/predict", body, "Authorization", "BEARER s3cret-token")
                        .statusCode())
                .isEqualTo(200);
        assertThat(get(url + "/health").statusCode()).isEqualTo(200); // health stays open for the platform's checks
    }

    @Test
    void badRequestsGetClearErrorsAndTheServerKeepsServing() throws Exception {
        String url = start(cls, Duration.ofMinutes(10), false, null);
        byte[] bomb = TextImages.pngHeaderOnly(30000, 30000);
        List<String> bad = List.of(
                "{not json",
                "{\"instances\":[]}",
                "{\"instances\":[{\"b64\":\"%%%not base64\"}]}",
                predictBody("plain text".getBytes()),
                predictBody(bomb),
                "{\"instances\":[{\"b64\":\"\"}],\"parameters\":{\"top_k\":-1}}");
        for (String body : bad) {
            HttpResponse<String> response = post(url + "/predict", body);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).get("error").asText()).isNotBlank();
            assertThat(post(url + "/predict", predictBody(line("still fine"))).statusCode())
                    .isEqualTo(200);
        }
        assertThat(get(url + "/predict").statusCode()).isEqualTo(405);
        assertThat(get(url + "/nowhere").statusCode()).isEqualTo(404);
    }

    @Test
    void bodiesOverTheLimitGet413() throws Exception {
        String url = start(cls, Duration.ofMinutes(10), false, null);
        ByteArrayOutputStream big = new ByteArrayOutputStream();
        big.writeBytes("{\"instances\":[{\"b64\":\"".getBytes());
        big.writeBytes("A".repeat(11 * 1024 * 1024).getBytes());
        big.writeBytes("\"}]}".getBytes());
        HttpResponse<String> response = post(url + "/predict", big.toString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(post(url + "/predict", predictBody(line("after"))).statusCode())
                .isEqualTo(200);
    }

    /** ppocr-rec keeps the aspect ratio with no maximum width: 12000000x1 would be a 48x576000000 tensor. */
    @Test
    void imagesWhoseTensorWouldBeTooWideGet400NamingTheLimit() throws Exception {
        String url = start(rec, Duration.ofMinutes(10), true, null);
        for (byte[] wide : List.of(BlankPng.of(12_000_000, 1), BlankPng.of(5000, 1))) {
            HttpResponse<String> response = post(url + "/predict", predictBody(line("fine"), wide));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).get("error").asText())
                    .contains("instances[1]", "wider than the limit of " + TensorBudget.DEFAULT.maxWidth());
        }
        assertThat(post(url + "/predict", predictBody(line("still fine"))).statusCode())
                .isEqualTo(200);
        assertThat(get(url + "/health").statusCode()).isEqualTo(200);
    }

    /** A batch budget of about one line per model run: the lines of a request run apart, each answer in its place. */
    @Test
    void batchesOverTheElementBudgetAreSplitAndAnswersStayInOrder() throws Exception {
        ServeLimits limits = new ServeLimits(
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                64_000_000L,
                200_000_000L,
                new TensorBudget(8192, 3 * 48 * 400));
        String url = start(rec, Duration.ofMinutes(10), true, null, limits);
        HttpResponse<String> response =
                post(url + "/predict", predictBody(line("one"), line("a longer second line"), line("3")));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode predictions = JSON.readTree(response.body()).get("predictions");
        assertThat(List.of(
                        predictions.get(0).get("text").asText(),
                        predictions.get(1).get("text").asText(),
                        predictions.get(2).get("text").asText()))
                .containsExactly("one", "a longer second line", "3");
        assertThat(metric(get(url + "/metrics").body(), "mldev_batch_size_count"))
                .isEqualTo(1.0); // one batch, split inside
    }

    /**
     * 60 images that declare 49 megapixels each: refused by the sizes in their headers. The images are headers
     * only, so a server that decoded before checking would answer 400 (truncated image) instead.
     */
    @Test
    void requestsWithTooManyPixelsGet413BeforeAnythingIsDecoded() throws Exception {
        String url = start(cls, Duration.ofMinutes(10), false, null);
        byte[][] images = new byte[60][];
        java.util.Arrays.fill(images, TextImages.pngHeaderOnly(7000, 7000));
        HttpResponse<String> response = post(url + "/predict", predictBody(images));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
        assertThat(JSON.readTree(response.body()).get("error").asText())
                .contains("2940000000 pixels", "limit of " + ServeLimits.DEFAULT.maxRequestPixels());
        assertThat(post(url + "/predict", predictBody(line("after"))).statusCode())
                .isEqualTo(200);
    }

    @Test
    void whileTheDecodingBudgetIsInUseRequestsGet503() throws Exception {
        ServeLimits limits = new ServeLimits(
                Duration.ofSeconds(30), Duration.ofSeconds(60), 1_000_000, 1_000_000, TensorBudget.DEFAULT);
        String url = start(cls, Duration.ofMinutes(10), false, null, limits); // the first request loads the model
        byte[] big = BlankPng.of(1000, 600);
        List<Integer> statuses = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                calls.add(pool.submit(() -> post(url + "/predict", predictBody(big))));
            }
            for (Future<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get();
                statuses.add(response.statusCode());
                if (response.statusCode() == 503) {
                    assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        // 600000 pixels each, 1000000 in flight at most: a request holds its pixels until answered (the first
        // one while the model loads), and those arriving meanwhile are told to come back
        assertThat(statuses).contains(200, 503).allMatch(s -> s == 200 || s == 503);
        assertThat(post(url + "/predict", predictBody(big)).statusCode()).isEqualTo(200);
    }

    /** Slowloris: many connections trickling their headers hold no worker; a normal client is answered at once. */
    @Test
    void slowClientsTakeNoWorkersAndAreCutOffAtTheHeaderDeadline() throws Exception {
        ServeLimits limits = new ServeLimits(
                Duration.ofSeconds(3), Duration.ofSeconds(3), 64_000_000L, 200_000_000L, TensorBudget.DEFAULT);
        String url = start(cls, Duration.ofMinutes(10), true, null, limits);
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 48; i++) {
                Socket socket = new Socket("127.0.0.1", server.port());
                socket.getOutputStream().write("POST /predict HTTP/1.1\r\nHost: x\r\n".getBytes());
                slow.add(socket);
            }
            long start = System.nanoTime();
            HttpResponse<String> health = ServerHarness.HTTP.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/health"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(post(url + "/predict", predictBody(line("during the attack")))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));

            Socket trickling = slow.get(0);
            trickling.setSoTimeout(10_000);
            long opened = System.nanoTime();
            int read = 0;
            for (int i = 0; i < 20 && read >= 0; i++) { // one header byte every 250 ms: alive, but never done
                try {
                    trickling.getOutputStream().write('X');
                } catch (java.io.IOException closed) {
                    break;
                }
                Thread.sleep(250);
                trickling.setSoTimeout(1);
                try {
                    read = trickling.getInputStream().read();
                } catch (java.net.SocketTimeoutException notYet) {
                    read = 0;
                } catch (java.io.IOException reset) {
                    read = -1;
                }
            }
            assertThat(read).as("the trickling connection is closed").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - opened)).isLessThan(Duration.ofSeconds(5));
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void aBodyThatStopsComingIsCutOffAtTheBodyDeadline() throws Exception {
        ServeLimits limits = new ServeLimits(
                Duration.ofSeconds(30), Duration.ofSeconds(2), 64_000_000L, 200_000_000L, TensorBudget.DEFAULT);
        start(cls, Duration.ofMinutes(10), false, null, limits);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            long start = System.nanoTime();
            socket.getOutputStream()
                    .write(("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + "{\"instances\"")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(socket.getInputStream().read())
                    .as("closed without an answer")
                    .isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(Duration.ofMillis(1500), Duration.ofSeconds(5));
        }
    }

    /** Requests sent back to back on one connection are answered in order, a slow predict before a quick health. */
    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        start(rec, Duration.ofMinutes(10), false, null); // the predict first loads the model: slow
        byte[] body = predictBody(line("first in line")).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String requests = "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n" + new String(body, java.nio.charset.StandardCharsets.UTF_8)
                + "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(requests.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String answers =
                    new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int predictions = answers.indexOf("\"predictions\"");
            int health = answers.indexOf("\"status\":\"ok\"");
            assertThat(answers).startsWith("HTTP/1.1 200").contains("first in line");
            assertThat(predictions).isPositive().isLessThan(health);
        }
    }

    private static void waitForMetric(String url, String sample, double value) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (metric(get(url + "/metrics").body(), sample) != value) {
            assertThat(System.nanoTime()).as(sample + " never became " + value).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
