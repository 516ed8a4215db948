package dev.mldev.target.vertex;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mldev.ExitCodes;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.cloud.Backoff;
import dev.mldev.cloud.CloudContext;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

/**
 * Sends images to a dedicated endpoint ({@code {"instances":[{"b64":...}]}}). An endpoint at zero replicas
 * answers 429 "not yet ready ... scale-up from zero" and starts waking: retried with exponential backoff and
 * jitter until the wake timeout, showing "waking endpoint from zero (42 s)". Reports the wake and total times.
 */
public final class VertexPredictor {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final int TRANSIENT_ATTEMPTS = 4;

    private final HttpClient http;
    private final Supplier<String> accessToken;
    private final Duration initialBackoff;

    VertexPredictor(HttpClient http, Supplier<String> accessToken, Duration initialBackoff) {
        this.http = http;
        this.accessToken = accessToken;
        this.initialBackoff = initialBackoff;
    }

    public static VertexPredictor connect(CloudContext cloud) {
        return new VertexPredictor(cloud.endpoints().httpClient(), cloud::accessToken, Duration.ofSeconds(1));
    }

    /** The answers in input order, with the time spent waking the endpoint (zero when it was up) and in all. */
    public record Result(List<Prediction> predictions, Duration wake, Duration total, String deployedModelId) {
    }

    public Result predict(String url, List<Predictor.Input> inputs, Duration wakeTimeout, Progress progress) {
        String body = requestBody(inputs);
        long start = System.nanoTime();
        long wakeStart = 0;
        int transientFailures = 0;
        Backoff backoff = new Backoff(initialBackoff, Duration.ofSeconds(15), 1.6);
        while (true) {
            long sentAt = System.nanoTime();
            HttpResponse<String> response = send(url, body);
            if (response == null || isTransient(response)) {
                if (++transientFailures >= TRANSIENT_ATTEMPTS) {
                    throw response == null
                            ? MldevException.remote("cannot reach the endpoint at " + hostOf(url), "check the network, then retry", null)
                            : failure(response, url);
                }
                Backoff.sleep(backoff.nextDelay());
                continue;
            }
            if (response.statusCode() == 200) {
                progress.status("");
                Duration wake = wakeStart == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - wakeStart);
                return parse(response.body(), inputs, wake, Duration.ofNanos(System.nanoTime() - start));
            }
            if (!isWaking(response)) {
                throw failure(response, url);
            }
            if (wakeStart == 0) {
                wakeStart = sentAt;
            }
            Duration waited = Duration.ofNanos(System.nanoTime() - wakeStart);
            if (waited.compareTo(wakeTimeout) >= 0) {
                progress.status("");
                throw MldevException.remote("the endpoint did not wake from zero within " + DurationFlag.format(wakeTimeout),
                        "try again (it may still be scaling up), or raise --wake-timeout", null);
            }
            progress.status("waking endpoint from zero (" + waited.toSeconds() + " s)");
            Duration delay = backoff.nextDelay();
            Duration left = wakeTimeout.minus(waited);
            Backoff.sleep(delay.compareTo(left) > 0 ? left : delay);
        }
    }

    private HttpResponse<String> send(String url, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + accessToken.get())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MldevException.failure("interrupted while waiting for the endpoint", null);
        }
    }

    /** 429 and Vertex's "not yet ready ... scale-up" answers mean the endpoint is waking from zero. */
    private static boolean isWaking(HttpResponse<String> response) {
        String text = response.body().toLowerCase();
        return response.statusCode() == 429 || text.contains("not yet ready") || text.contains("scale-up");
    }

    private static boolean isTransient(HttpResponse<String> response) {
        int code = response.statusCode();
        return (code == 502 || code == 503 || code == 504) && !isWaking(response);
    }

    private static MldevException failure(HttpResponse<String> response, String url) {
        String message = serverMessage(response.body());
        return switch (response.statusCode()) {
            case 401 -> new MldevException(ExitCodes.REMOTE, "the endpoint refused the credentials",
                    "run 'gcloud auth application-default login' again, or check GOOGLE_APPLICATION_CREDENTIALS");
            case 403 -> new MldevException(ExitCodes.REMOTE, "permission denied on the endpoint: the account lacks aiplatform.endpoints.predict",
                    "grant roles/aiplatform.user on the project to the account in use");
            case 404 -> new MldevException(ExitCodes.REMOTE, "the endpoint at " + hostOf(url) + " does not exist: " + message,
                    "see 'mldev status'; deploy again if it was removed");
            default -> new MldevException(ExitCodes.REMOTE, "the endpoint answered HTTP " + response.statusCode() + ": " + message, null);
        };
    }

    private static String serverMessage(String body) {
        try {
            JsonNode error = JSON.readTree(body).path("error");
            if (error.has("message")) {
                return error.get("message").asText();
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: show its first line
        }
        return body.lines().findFirst().orElse("(empty answer)");
    }

    private static String requestBody(List<Predictor.Input> inputs) {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode instances = request.putArray("instances");
        for (Predictor.Input input : inputs) {
            instances.addObject().put("b64", Base64.getEncoder().encodeToString(input.bytes()));
        }
        return request.toString();
    }

    private static Result parse(String body, List<Predictor.Input> inputs, Duration wake, Duration total) {
        try {
            JsonNode answer = JSON.readTree(body);
            JsonNode predictions = answer.path("predictions");
            if (!predictions.isArray() || predictions.size() != inputs.size()) {
                throw MldevException.remote("the endpoint answered " + predictions.size() + " predictions for " + inputs.size() + " images",
                        "check that the deployed image is an mldev serving image", null);
            }
            List<Prediction> results = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                results.add(JSON.treeToValue(predictions.get(i), Prediction.class).withImage(inputs.get(i).name()));
            }
            return new Result(results, wake, total, answer.path("deployedModelId").asText(null));
        } catch (IOException e) {
            throw MldevException.remote("the endpoint's answer is not mldev's prediction JSON: " + e.getMessage(),
                    "check that the deployed image is an mldev serving image", e);
        }
    }

    private static String hostOf(String url) {
        return URI.create(url).getHost();
    }
}
