package dev.mldev.serve;

import dev.mldev.runtime.Device;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How {@code mldev serve} runs.
 *
 * @param authToken  the bearer token requests must carry, or null for none
 * @param maxBodyBytes requests with a larger body get 413
 */
public record ServeOptions(
        Path bundle,
        String host,
        int port,
        String healthRoute,
        String predictRoute,
        Duration idleUnload,
        boolean preload,
        int maxBatch,
        Duration batchWindow,
        String authToken,
        Device device,
        long maxBodyBytes) {

    public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;
}
