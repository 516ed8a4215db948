package dev.mldev.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.gax.httpjson.HttpJsonStatusCode;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.ApiExceptionFactory;
import com.google.api.gax.rpc.StatusCode;
import dev.mldev.MldevException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * JSON calls to a Google REST API (for the APIs mldev reaches without a client library: the Cloud Run Admin API v2),
 * with the context's credentials, its retries and its error translation: Google's error body
 * ({@code {"error": {"code", "message", "status"}}}) becomes the same {@link ApiException} a client library throws.
 */
public final class GoogleRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final CloudContext cloud;
    private final String baseUrl;
    private final HttpClient http;

    public GoogleRest(CloudContext cloud, String baseUrl) {
        this.cloud = cloud;
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.http = cloud.endpoints().httpClient();
    }

    /** GET {@code path} (e.g. "/v2/projects/P/locations/R/services/S"), retried. */
    public JsonNode get(String doing, String path) {
        return cloud.retry().call(doing, () -> send("GET", path, null));
    }

    /** The resource, or empty when the API answers 404. */
    public Optional<JsonNode> find(String doing, String path) {
        try {
            return Optional.of(cloud.retry().call(doing, () -> {
                try {
                    return send("GET", path, null);
                } catch (ApiException e) {
                    if (e.getStatusCode().getCode() == StatusCode.Code.NOT_FOUND) {
                        throw new NotFound();
                    }
                    throw e;
                }
            }));
        } catch (NotFound e) {
            return Optional.empty();
        }
    }

    public JsonNode post(String doing, String path, JsonNode body) {
        return cloud.retry().call(doing, () -> send("POST", path, body));
    }

    public JsonNode patch(String doing, String path, JsonNode body) {
        return cloud.retry().call(doing, () -> send("PATCH", path, body));
    }

    public JsonNode delete(String doing, String path) {
        return cloud.retry().call(doing, () -> send("DELETE", path, null));
    }

    private JsonNode send(String method, String path, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + cloud.accessToken())
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body.toString()));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw ApiExceptionFactory.createException(
                    "cannot reach " + baseUrl + ": " + e.getMessage(),
                    e,
                    HttpJsonStatusCode.of(StatusCode.Code.UNAVAILABLE),
                    true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MldevException.failure("interrupted while calling " + baseUrl, null);
        }
        JsonNode answer = parse(response.body());
        if (response.statusCode() / 100 != 2) {
            throw error(response.statusCode(), answer, response.body());
        }
        return answer;
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode().put("raw", body.length() > 300 ? body.substring(0, 300) : body);
        }
    }

    private static ApiException error(int httpStatus, JsonNode answer, String body) {
        JsonNode error = answer.path("error");
        String message = error.path("message").asText(body.length() > 300 ? body.substring(0, 300) : body);
        StatusCode.Code code;
        try {
            code = StatusCode.Code.valueOf(error.path("status").asText(""));
        } catch (IllegalArgumentException unknownOrMissing) {
            code = HttpJsonStatusCode.of(httpStatus).getCode();
        }
        boolean retryable = code == StatusCode.Code.UNAVAILABLE || code == StatusCode.Code.DEADLINE_EXCEEDED;
        return ApiExceptionFactory.createException(message, null, HttpJsonStatusCode.of(code), retryable);
    }

    /** A 404 carried out of the retry loop without translation. */
    private static final class NotFound extends RuntimeException {
        NotFound() {
            super(null, null, false, false);
        }
    }
}
