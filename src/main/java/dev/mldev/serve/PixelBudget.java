package dev.mldev.serve;

import java.util.concurrent.atomic.AtomicLong;

/** Decoded pixels in flight across all requests: a request reserves its images' pixels before decoding them. */
final class PixelBudget {
    private final long max;
    private final AtomicLong used = new AtomicLong();

    PixelBudget(long max) {
        this.max = max;
    }

    /** Reserves {@code pixels}, or returns false (reserving nothing) when that would pass the maximum. */
    boolean tryReserve(long pixels) {
        long now;
        do {
            now = used.get();
            if (now + pixels > max) {
                return false;
            }
        } while (!used.compareAndSet(now, now + pixels));
        return true;
    }

    void release(long pixels) {
        used.addAndGet(-pixels);
    }

    long used() {
        return used.get();
    }
}
