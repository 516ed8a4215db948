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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A dedicated endpoint's prediction surface ({@code POST /v1beta1/ENDPOINT:predict}). A deployed model at zero
 * replicas answers 429 "not yet ready ... scale-up from zero" and starts scaling up; once the scale-up delay
 * has passed and the serving container's health route answers, requests are forwarded to its predict route
 * (the container DeployModel started, see {@link FakeGoogleCloud#runServingImage}, or else a server the test
 * started with {@link #setContainer}), and the answer gains deployedModelId as Vertex's does.
 */
public final class FakePrediction {
    private final FakeVertex vertex;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger notReadyAnswers = new AtomicInteger();
    private volatile URI container;
    private volatile Duration scaleUpDelay = Duration.ofSeconds(1);

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

    /** How many 429 "not ready" answers were given. */
    public int notReadyAnswers() {
        return notReadyAnswers.get();
    }

    void mount(FakeHttps https) {
        https.route("/v1beta1/", exchange -> "predict", this::predict);
    }

    private void predict(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!"POST".equals(exchange.getRequestMethod()) || !path.endsWith(":predict")) {
            throw new FakeHttps.HttpError(Code.UNIMPLEMENTED, exchange.getRequestMethod() + " " + path + " is not faked");
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
                .orElseThrow(() -> new FakeHttps.HttpError(Code.FAILED_PRECONDITION,
                        "Endpoint " + endpointName + " does not have any deployed model."));
        Model model = vertex.modelNamed(target.getModel());
        byte[] request = exchange.getRequestBody().readAllBytes();
        if (vertex.replicas(target.getId()) == 0 && !wakeUp(target, model)) {
            notReadyAnswers.incrementAndGet();
            throw new FakeHttps.HttpError(Code.RESOURCE_EXHAUSTED, "Model is not yet ready for inference. "
                    + "The model is in the process of scale-up from zero; please retry.");
        }
        Optional<ServingContainer> running = vertex.container(target.getId());
        String container = running.map(c -> c.baseUrl().toString()).orElseGet(this::container);
        long sent = System.nanoTime();
        HttpResponse<String> answer = send(container, model.getContainerSpec().getPredictRoute(), request);
        if (answer.statusCode() != 200) {
            FakeHttps.send(exchange, answer.statusCode(), answer.body());
            return;
        }
        running.ifPresent(c -> c.answeredPrediction((System.nanoTime() - sent) / 1_000_000));
        JsonNode body = FakeHttps.JSON.readTree(answer.body());
        ObjectNode result = body.isObject() ? (ObjectNode) body : FakeHttps.JSON.createObjectNode();
        result.put("deployedModelId", target.getId()).put("model", target.getModel()).put("modelVersionId", model.getVersionId());
        FakeHttps.send(exchange, 200, result.toString());
    }

    /** True once the scale-up started by the first request has finished and the container is healthy. */
    private boolean wakeUp(DeployedModel target, Model model) {
        long started = vertex.wakeStarted(target.getId());
        if (System.currentTimeMillis() - started < scaleUpDelay.toMillis()) {
            return false;
        }
        try {
            String container = vertex.container(target.getId()).map(c -> c.baseUrl().toString())
                    .orElseGet(this::container);
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                    URI.create(container + model.getContainerSpec().getHealthRoute())).timeout(Duration.ofSeconds(5)).GET().build(),
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
            return http.send(HttpRequest.newBuilder(URI.create(container + route)).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
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
