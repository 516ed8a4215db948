package dev.mldev.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.aiplatform.v1beta1.DeployedModel;
import com.google.cloud.aiplatform.v1beta1.Endpoint;
import com.google.cloud.aiplatform.v1beta1.Model;
import com.google.rpc.Code;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A dedicated endpoint's prediction surface ({@code POST /v1beta1/ENDPOINT:predict}). A body over 10 MiB is refused
 * with 400 INVALID_ARGUMENT "Request payload size exceeds the limit". A deployed model at zero replicas answers 429
 * "not yet ready ... scale-up from zero" and starts scaling up (later answers may be 503/504, see
 * {@link #setColdStartCodes}); once the scale-up delay
 * has passed and the serving container's health route answers, requests are forwarded to its predict route
 * (the container DeployModel started, see {@link FakeGoogleCloud#runServingImage}, or else a server the test
 * started with {@link #setContainer}), and the answer gains deployedModelId as Vertex's does.
 */
public final class FakePrediction {
    /** A dedicated endpoint's request limit: "up to 10 MB" (taken as 10 MiB, the larger reading). */
    static final int REQUEST_LIMIT = 10 * 1024 * 1024;

    private final FakeVertex vertex;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger notReadyAnswers = new AtomicInteger();
    private final AtomicInteger forwarding = new AtomicInteger();
    private final AtomicInteger mostForwarding = new AtomicInteger();
    private volatile Duration answerDelay = Duration.ZERO;
    private volatile URI container;
    private volatile Duration scaleUpDelay = Duration.ofSeconds(1);
    private volatile List<Code> coldStartCodes = List.of(Code.RESOURCE_EXHAUSTED);

    FakePrediction(FakeVertex vertex) {
        this.vertex = vertex;
    }

    /** The serving container all deployed models run as: a loopback server speaking the AIP routes. */
    public void setContainer(URI baseUrl) {
        this.container = baseUrl;
    }

    public void setScaleUpDelay(Duration delay) {
        this.scaleUpDelay = delay;
    }

    /**
     * What requests get while the model scales up from zero, in turn: the first is always 429 "not yet ready" (it
     * starts the scale-up); a GPU cold start of several minutes also answers 503 (UNAVAILABLE) and 504
     * (DEADLINE_EXCEEDED) on the way.
     */
    public void setColdStartCodes(Code... codes) {
        this.coldStartCodes = List.of(codes);
    }

    /** How long each forwarded request takes on top of the container's own time, so that requests overlap. */
    public void setAnswerDelay(Duration delay) {
        this.answerDelay = delay;
    }

    /** The most requests forwarded to a container at the same time since the last call; resets the count. */
    public int mostConcurrentPredictions() {
        return mostForwarding.getAndSet(forwarding.get());
    }

    /** How many answers were given while a model was not ready. */
    public int notReadyAnswers() {
        return notReadyAnswers.get();
    }

    void mount(FakeHttps https) {
        https.route("/v1beta1/", exchange -> "predict", this::predict);
    }

    private void predict(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!"POST".equals(exchange.getRequestMethod()) || !path.endsWith(":predict")) {
            throw new FakeHttps.HttpError(
                    Code.UNIMPLEMENTED, exchange.getRequestMethod() + " " + path + " is not faked");
        }
        String endpointName = path.substring("/v1beta1/".length(), path.length() - ":predict".length());
        Endpoint endpoint;
        try {
            endpoint = vertex.endpoint(endpointName);
        } catch (io.grpc.StatusRuntimeException e) {
            throw new FakeHttps.HttpError(Code.NOT_FOUND, e.getStatus().getDescription());
        }
        DeployedModel target = endpoint.getDeployedModelsList().stream()
                .max(Comparator.comparingInt(d -> endpoint.getTrafficSplitMap().getOrDefault(d.getId(), 0)))
                .orElseThrow(() -> new FakeHttps.HttpError(
                        Code.FAILED_PRECONDITION, "Endpoint " + endpointName + " does not have any deployed model."));
        Model model = vertex.modelNamed(target.getModel());
        byte[] request = exchange.getRequestBody().readNBytes(REQUEST_LIMIT + 1);
        if (request.length > REQUEST_LIMIT) {
            exchange.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
            throw new FakeHttps.HttpError(
                    Code.INVALID_ARGUMENT, "Request payload size exceeds the limit: " + REQUEST_LIMIT + " bytes.");
        }
        if (vertex.replicas(target.getId()) == 0 && !wakeUp(target, model)) {
            int answer = notReadyAnswers.getAndIncrement();
            List<Code> codes = coldStartCodes;
            Code code = answer == 0 ? Code.RESOURCE_EXHAUSTED : codes.get(answer % codes.size());
            throw new FakeHttps.HttpError(
                    code,
                    switch (code) {
                        case UNAVAILABLE -> "The service is currently unavailable.";
                        case DEADLINE_EXCEEDED -> "Deadline exceeded while waiting for the model server.";
                        default ->
                            "Model is not yet ready for inference. The model is in the process of scale-up from zero; please retry.";
                    });
        }
        Optional<ServingContainer> running = vertex.container(target.getId());
        String container = running.map(c -> c.baseUrl().toString()).orElseGet(this::container);
        long sent = System.nanoTime();
        HttpResponse<String> answer;
        mostForwarding.accumulateAndGet(forwarding.incrementAndGet(), Math::max);
        try {
            answer = send(container, model.getContainerSpec().getPredictRoute(), request);
            Thread.sleep(answerDelay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            forwarding.decrementAndGet();
        }
        if (answer.statusCode() != 200) {
            FakeHttps.send(exchange, answer.statusCode(), answer.body());
            return;
        }
        running.ifPresent(c -> c.answeredPrediction((System.nanoTime() - sent) / 1_000_000));
        JsonNode body = FakeHttps.JSON.readTree(answer.body());
        ObjectNode result = body.isObject() ? (ObjectNode) body : FakeHttps.JSON.createObjectNode();
        result.put("deployedModelId", target.getId())
                .put("model", target.getModel())
                .put("modelVersionId", model.getVersionId());
        FakeHttps.send(exchange, 200, result.toString());
    }

    /** True once the scale-up started by the first request has finished and the container is healthy. */
    private boolean wakeUp(DeployedModel target, Model model) {
        long started = vertex.wakeStarted(target.getId());
        if (System.currentTimeMillis() - started < scaleUpDelay.toMillis()) {
            return false;
        }
        try {
            String container = vertex.container(target.getId())
                    .map(c -> c.baseUrl().toString())
                    .orElseGet(this::container);
            HttpResponse<String> health = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    container + model.getContainerSpec().getHealthRoute()))
                            .timeout(Duration.ofSeconds(5))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (health.statusCode() != 200) {
                return false;
            }
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        int initial = target.getDedicatedResources().getInitialReplicaCount();
        vertex.setReplicas(target.getId(), Math.max(1, initial));
        return true;
    }

    private HttpResponse<String> send(String container, String route, byte[] body) throws IOException {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(container + route))
                            .timeout(Duration.ofSeconds(60))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private String container() {
        if (container == null) {
            throw new FakeHttps.HttpError(Code.UNAVAILABLE, "no serving container: call setContainer() in the test");
        }
        return container.toString().replaceAll("/$", "");
    }
}
