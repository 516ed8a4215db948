package dev.mldev.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mldev.MldevException;
import dev.mldev.runtime.ImageResult;
import dev.mldev.runtime.PendingImage;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sends images to a server speaking the Vertex AI prediction contract and reads the predictions back. */
public final class PredictClient {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Answers that refuse one request's image (bad, too large), not the deployment as a whole. */
    private static final Set<Integer> BAD_INPUT = Set.of(400, 413, 422);

    private static final Pattern INSTANCE = Pattern.compile("instances\\[(\\d{1,9})]");

    private final HttpClient http;

    public PredictClient(HttpClient http) {
        this.http = http;
    }

    public PredictClient() {
        this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    }

    /** A non-2xx answer: its status, the server's error text and its whole body (Google's error details). */
    public static final class HttpError extends RuntimeException {
        private final int status;
        private final String body;

        public HttpError(int status, String message, String body) {
            super(message);
            this.status = status;
            this.body = body;
        }

        public int status() {
            return status;
        }

        public String body() {
            return body;
        }
    }

    /** The request body: {@code {"instances":[{"b64":...}],"parameters":{"top_k":K}}}. */
    public static String body(List<Predictor.Input> images, int topK) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode instances = root.putArray("instances");
        for (Predictor.Input image : images) {
            instances.addObject().put("b64", Base64.getEncoder().encodeToString(image.bytes()));
        }
        if (topK > 0) {
            root.putObject("parameters").put("top_k", topK);
        }
        return root.toString();
    }

    /**
     * POSTs the images; each prediction comes back named as the input was.
     *
     * @param bearerToken sent as {@code Authorization: Bearer}, or null
     * @throws HttpError on a non-2xx answer
     */
    public List<Prediction> predict(
            URI url, String bearerToken, List<Predictor.Input> images, int topK, Duration timeout) {
        HttpResponse<String> response;
        try {
            response =
                    http.send(request(url, bearerToken, images, topK, timeout), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw unreachable(url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MldevException.failure("interrupted", null);
        }
        return answer(response, images);
    }

    /**
     * Sends the images one a request, with at most {@code inFlight} requests under way (the server batches
     * concurrent requests), and hands each result to {@code results} in input order as it is answered. An image
     * that cannot be read, or that the server refuses as bad input (400, 413, 422), becomes a failed result;
     * any other error answer goes through {@code errors} and stops the stream, as does {@code results} throwing.
     */
    public void predictEach(
            URI url,
            String bearerToken,
            Iterator<PendingImage> images,
            int topK,
            Duration timeout,
            int inFlight,
            Function<HttpError, MldevException> errors,
            Consumer<ImageResult> results) {
        ArrayDeque<CompletableFuture<ImageResult>> pending = new ArrayDeque<>();
        try {
            while (images.hasNext() || !pending.isEmpty()) {
                while (pending.size() < inFlight && images.hasNext()) {
                    pending.add(send(url, bearerToken, images.next(), topK, timeout, errors));
                }
                results.accept(await(pending.remove()));
            }
        } finally {
            pending.forEach(request -> request.cancel(true));
        }
    }

    private CompletableFuture<ImageResult> send(
            URI url,
            String bearerToken,
            PendingImage image,
            int topK,
            Duration timeout,
            Function<HttpError, MldevException> errors) {
        List<Predictor.Input> one;
        try {
            one = List.of(image.read());
        } catch (MldevException e) {
            return CompletableFuture.completedFuture(ImageResult.failed(image.name(), e));
        }
        return http.sendAsync(request(url, bearerToken, one, topK, timeout), HttpResponse.BodyHandlers.ofString())
                .handle((response, thrown) -> {
                    if (thrown != null) {
                        Throwable cause = thrown instanceof CompletionException ? thrown.getCause() : thrown;
                        throw cause instanceof IOException io ? unreachable(url, io) : new CompletionException(cause);
                    }
                    try {
                        return ImageResult.of(answer(response, one).get(0));
                    } catch (HttpError e) {
                        MldevException failure = errors.apply(e);
                        if (BAD_INPUT.contains(e.status())) {
                            return ImageResult.failed(image.name(), failure);
                        }
                        throw failure;
                    }
                });
    }

    private static ImageResult await(CompletableFuture<ImageResult> request) {
        try {
            return request.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private static HttpRequest request(
            URI url, String bearerToken, List<Predictor.Input> images, int topK, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(images, topK)));
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        return request.build();
    }

    private static List<Prediction> answer(HttpResponse<String> response, List<Predictor.Input> images) {
        if (response.statusCode() / 100 != 2) {
            throw new HttpError(
                    response.statusCode(), withImageNames(errorText(response.body()), images), response.body());
        }
        return parse(response.body(), images);
    }

    private static MldevException unreachable(URI url, IOException e) {
        return MldevException.failure(
                "cannot reach " + url.getHost() + ":" + url.getPort() + ": "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
                "check that the deployment is up ('mldev status')");
    }

    private static List<Prediction> parse(String body, List<Predictor.Input> images) {
        try {
            JsonNode predictions = JSON.readTree(body).get("predictions");
            if (predictions == null || predictions.size() != images.size()) {
                throw MldevException.remote(
                        "the server answered " + (predictions == null ? "no" : predictions.size()) + " predictions for "
                                + images.size() + " images",
                        null,
                        null);
            }
            return named(predictions, images);
        } catch (IOException e) {
            throw MldevException.remote("the server's answer is not a predictions object: " + e.getMessage(), null, e);
        }
    }

    /**
     * Predictions in mldev's JSON (a server's answer, a pipeline run's results), one per image in order, each named
     * as its image was. The caller checks that the counts match.
     */
    public static List<Prediction> named(JsonNode predictions, List<Predictor.Input> images)
            throws JsonProcessingException {
        List<Prediction> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            out.add(JSON.treeToValue(predictions.get(i), Prediction.class)
                    .withImage(images.get(i).name()));
        }
        return out;
    }

    /** The server names an image by its place in the request ("instances[0]"); the user knows it by its name. */
    private static String withImageNames(String text, List<Predictor.Input> images) {
        return INSTANCE.matcher(text).replaceAll(match -> {
            int i = Integer.parseInt(match.group(1));
            return Matcher.quoteReplacement(i < images.size() ? images.get(i).name() : match.group());
        });
    }

    private static String errorText(String body) {
        try {
            JsonNode error = JSON.readTree(body).get("error");
            if (error != null) {
                return error.isTextual()
                        ? error.asText()
                        : error.path("message").asText(error.toString());
            }
        } catch (IOException e) {
            // not JSON: fall through to the raw text
        }
        return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }
}
