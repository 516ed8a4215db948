package dev.mldev.serve;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The body of {@code GET /health}: written by {@code mldev serve}, read by the local target to tell its own server
 * (by pid) from another one on the same port, and to show whether the model is loaded.
 *
 * @param status        "ok", or why the server cannot serve
 * @param idleSeconds   seconds since the last prediction (or the start)
 * @param pid           the serving process
 * @param bundleVersion the served bundle's version
 */
public record ServerHealth(
        String status, boolean modelLoaded, long idleSeconds, long requestsServed, long pid, String bundleVersion) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The health a server answered, or empty when the body is not one (another kind of server on the port). */
    public static Optional<ServerHealth> parse(String body) {
        try {
            ServerHealth health = JSON.readValue(body, ServerHealth.class);
            return health == null || health.pid() <= 0 ? Optional.empty() : Optional.of(health);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
