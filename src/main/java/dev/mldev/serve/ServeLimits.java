package dev.mldev.serve;

import dev.mldev.runtime.TensorBudget;
import java.time.Duration;

/**
 * What one client may cost the server. Timeouts close a connection that is slow to send its request, so slow
 * or idle clients hold no more than a socket; the pixel limits bound the memory of decoded images, checked
 * against the sizes in the image headers before anything is decoded.
 *
 * @param headerTimeout     a request's head (request line and headers) must arrive within this, counted from the
 *                          connection's start or the previous response: also how long an idle keep-alive connection stays open
 * @param bodyTimeout       a request's body must arrive within this after its head
 * @param maxRequestPixels  most decoded pixels one request's images may have together (413 beyond)
 * @param maxInFlightPixels most decoded pixels of all requests being handled at once (503 while used up)
 * @param tensors           bound on the input tensor per image and per batch
 */
public record ServeLimits(
        Duration headerTimeout,
        Duration bodyTimeout,
        long maxRequestPixels,
        long maxInFlightPixels,
        TensorBudget tensors) {
    /** A 49-megapixel image per request; about four of them (roughly 600 MB of pixels) in flight at once. */
    public static final ServeLimits DEFAULT = new ServeLimits(
            Duration.ofSeconds(30), Duration.ofSeconds(60), 64_000_000L, 200_000_000L, TensorBudget.DEFAULT);

    public ServeLimits {
        if (maxRequestPixels > maxInFlightPixels) {
            throw new IllegalArgumentException(
                    "maxRequestPixels " + maxRequestPixels + " > maxInFlightPixels " + maxInFlightPixels);
        }
    }
}
