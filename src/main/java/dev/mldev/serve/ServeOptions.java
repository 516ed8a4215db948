package dev.mldev.serve;

import dev.mldev.runtime.Device;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How {@code mldev serve} runs.
 *
 * @param authToken  the bearer token requests must carry, or null for none
 * @param maxBodyBytes requests with a larger body get 413
 * @param rateLimit    predict requests allowed per client, or null for no limit (429 with Retry-After beyond)
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
        long maxBodyBytes,
        RateLimit rateLimit) {
    /** Where predictions are posted when the platform names no route (AIP_PREDICT_ROUTE). */
    public static final String DEFAULT_PREDICT_ROUTE = "/predict";

    public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;

    /** Options without a rate limit. */
    public ServeOptions(
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
        this(
                bundle,
                host,
                port,
                healthRoute,
                predictRoute,
                idleUnload,
                preload,
                maxBatch,
                batchWindow,
                authToken,
                device,
                maxBodyBytes,
                null);
    }
}
