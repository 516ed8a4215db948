package dev.mldev.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mldev.MldevException;
import dev.mldev.bundle.Bundle;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.PredictionJson;
import dev.mldev.runtime.Predictor;
import dev.mldev.runtime.SessionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The prediction server, speaking Vertex AI's custom-container contract: {@code POST predictRoute} with
 * {@code {"instances":[{"b64":...}],"parameters":{"top_k":3}}} answers {@code {"predictions":[...]}};
 * {@code GET healthRoute} answers 200 while a request would be served; {@code GET /metrics} is Prometheus text.
 * Built on the JDK's own HTTP server: no dependency, and it meets the load figures (see the README).
 */
public final class PredictServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

    private final ServeOptions options;
    private final HttpServer http;
    private final ExecutorService handlers;
    private final ScheduledExecutorService reaper;
    private final ModelHolder model;
    private final Batcher batcher;
    private final ServeMetrics metrics;
    private final AtomicLong served = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopping;
    private final byte[] token;
    private final String bundleVersion;

    private PredictServer(ServeOptions options, Bundle bundle, SessionFactory sessions) throws IOException {
        this.options = options;
        this.bundleVersion = bundle.manifest().version();
        this.token = options.authToken() == null ? null : options.authToken().getBytes(StandardCharsets.UTF_8);
        ModelHolder[] holder = new ModelHolder[1];
        this.metrics = new ServeMetrics(() -> holder[0].isLoaded() ? 1 : 0, () -> holder[0].idleSeconds(), inFlight::get);
        this.model = new ModelHolder(bundle, sessions, options.device(), options.idleUnload(), metrics::modelLoaded);
        holder[0] = model;
        this.batcher = new Batcher(model, options.maxBatch(), options.batchWindow().toNanos(), metrics::batch);
        this.http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 512);
        this.handlers = Executors.newFixedThreadPool(Math.max(16, 4 * Runtime.getRuntime().availableProcessors()));
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mldev-idle-unload");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Verifies the bundle, checks the model loads (keeping it only with preload), and starts listening.
     * Throws MldevException when the bundle or model is unusable, so nothing listens that cannot serve.
     */
    public static PredictServer start(ServeOptions options, Bundle bundle, SessionFactory sessions) throws IOException {
        bundle.verify();
        PredictServer server = new PredictServer(options, bundle, sessions);
        if (options.preload()) {
            server.model.load();
        } else {
            server.model.checkLoadable();
        }
        server.http.createContext("/", server::handle);
        server.http.setExecutor(server.handlers);
        server.http.start();
        long period = Math.max(50, Math.min(options.idleUnload().toMillis() / 4, 10_000));
        server.reaper.scheduleAtFixedRate(server.model::unloadIfIdle, period, period, TimeUnit.MILLISECONDS);
        return server;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /**
     * Refuses new requests (503), lets those in flight finish (up to the grace period), then closes the server
     * and frees the model. The waiting is done here because the JDK server's own stop(delay) waits out the whole
     * delay even when nothing is in flight (JDK-8304065, fixed after Java 17).
     */
    public void stop(Duration grace) {
        stopping = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        http.stop(0);
        batcher.close();
        reaper.shutdownNow();
        handlers.shutdown();
        model.unload();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(1));
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        try (exchange) {
            if (path.equals(options.predictRoute())) {
                long start = System.nanoTime();
                inFlight.incrementAndGet();
                try {
                    metrics.request("predict", stopping ? error(exchange, 503, "server is stopping") : predict(exchange));
                } finally {
                    inFlight.decrementAndGet();
                    metrics.latency((System.nanoTime() - start) / 1e9);
                }
            } else if (path.equals(options.healthRoute())) {
                metrics.request("health", health(exchange));
            } else if (path.equals("/metrics")) {
                send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
                metrics.request("metrics", 200);
            } else {
                metrics.request("other", error(exchange, 404, "no route " + path + "; predict is POST "
                        + options.predictRoute() + ", health is GET " + options.healthRoute()));
            }
        }
    }

    private int health(HttpExchange exchange) throws IOException {
        boolean healthy = model.healthy();
        ServerHealth body = new ServerHealth(healthy ? "ok" : "model cannot be loaded", model.isLoaded(),
                Math.round(model.idleSeconds()), served.get(), ProcessHandle.current().pid(), bundleVersion);
        int status = healthy ? 200 : 503;
        send(exchange, status, "application/json", body.toJson());
        return status;
    }

    private int predict(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            return error(exchange, 405, "use POST for " + options.predictRoute());
        }
        if (!authorised(exchange)) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer");
            return error(exchange, 401, "missing or wrong bearer token");
        }
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        byte[] body = declared != null && parseLong(declared) > options.maxBodyBytes() ? null
                : readAtMost(exchange.getRequestBody(), options.maxBodyBytes());
        if (body == null) {
            discardRest(exchange.getRequestBody(), 4 * options.maxBodyBytes());
            return error(exchange, 413, "body larger than " + options.maxBodyBytes() + " bytes");
        }
        batcher.expect();
        boolean submitted = false;
        try {
            Request request = parse(body);
            List<Predictor.Decoded> images = new ArrayList<>();
            for (int i = 0; i < request.images().size(); i++) {
                images.add(Predictor.Decoded.of(new Predictor.Input("instances[" + i + "]", request.images().get(i))));
            }
            submitted = true;
            List<Prediction> predictions = batcher.submit(images, request.topK())
                    .get(REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            served.incrementAndGet();
            send(exchange, 200, "application/json", PredictionJson.response(predictions));
            return 200;
        } catch (BadRequest | MldevException e) {
            return error(exchange, 400, e.getMessage());
        } catch (ExecutionException e) {
            return error(exchange, 500, e.getCause().getMessage());
        } catch (TimeoutException e) {
            return error(exchange, 503, "the model did not answer within " + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(exchange, 503, "server is stopping");
        } finally {
            if (!submitted) {
                batcher.withdraw();
            }
        }
    }

    private record Request(List<byte[]> images, int topK) {
    }

    private static final class BadRequest extends Exception {
        BadRequest(String message) {
            super(message);
        }
    }

    private static Request parse(byte[] body) throws BadRequest {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new BadRequest("body is not JSON: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        JsonNode instances = root == null ? null : root.get("instances");
        if (instances == null || !instances.isArray() || instances.isEmpty()) {
            throw new BadRequest("expected {\"instances\":[{\"b64\":\"<image bytes, base64>\"}, ...]}");
        }
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            JsonNode b64 = instances.get(i).get("b64");
            if (b64 == null || !b64.isTextual()) {
                throw new BadRequest("instances[" + i + "] has no \"b64\" string");
            }
            try {
                images.add(Base64.getDecoder().decode(b64.asText()));
            } catch (IllegalArgumentException e) {
                throw new BadRequest("instances[" + i + "].b64 is not valid base64: " + e.getMessage());
            }
        }
        JsonNode topK = root.path("parameters").path("top_k");
        if (!topK.isMissingNode() && (!topK.canConvertToInt() || topK.asInt() < 0)) {
            throw new BadRequest("parameters.top_k must be a whole number, 0 or more");
        }
        return new Request(images, topK.asInt(0));
    }

    /** Constant-time comparison, so the token cannot be guessed byte by byte from timings. */
    private boolean authorised(HttpExchange exchange) {
        if (token == null) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    /** The body, or null when it is longer than the limit (a body without Content-Length is counted too). */
    private static byte[] readAtMost(InputStream in, long limit) throws IOException {
        byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        return body.length > limit ? null : body;
    }

    /**
     * Reads and drops what is left of a refused body, up to a cap, so that a client still sending it reads the
     * 413 instead of a reset connection; a body beyond the cap is cut off with the connection.
     */
    private static void discardRest(InputStream in, long cap) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = cap;
        for (int n = in.read(buffer); n > 0 && left > 0; n = in.read(buffer)) {
            left -= n;
        }
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int error(HttpExchange exchange, int status, String message) throws IOException {
        send(exchange, status, "application/json", JSON.writeValueAsString(Map.of("error", message)));
        return status;
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
