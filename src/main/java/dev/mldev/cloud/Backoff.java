package dev.mldev.cloud;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: each delay is drawn between half and all of the current step, and the step
 * grows by {@code multiplier} up to {@code max}. One instance per retried operation.
 */
public final class Backoff {
    private final Duration max;
    private final double multiplier;
    private Duration step;

    public Backoff(Duration initial, Duration max, double multiplier) {
        this.step = initial;
        this.max = max;
        this.multiplier = multiplier;
    }

    public Duration nextDelay() {
        long stepMillis = step.toMillis();
        long delay = stepMillis / 2 + ThreadLocalRandom.current().nextLong(stepMillis / 2 + 1);
        step = Duration.ofMillis(Math.min(max.toMillis(), (long) (stepMillis * multiplier)));
        return Duration.ofMillis(delay);
    }

    public static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry", e);
        }
    }
}
