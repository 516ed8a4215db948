package dev.mldev.serve;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client address: {@link RateLimit#perMinute()} tokens, refilled at that rate. IPv6 clients are
 * counted by their /64 network, since one machine usually holds a whole /64 and could otherwise change address
 * for every request. Buckets that are full again (their clients idle for a minute) are dropped now and then, so
 * the map does not grow with every address ever seen.
 */
final class RateLimiter {
    private static final long MINUTE_NANOS = 60_000_000_000L;

    private final int capacity;
    private final double tokensPerNano;
    private final LongSupplier nanoClock;
    private final Map<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();
    private volatile long lastSweep;

    RateLimiter(RateLimit limit, LongSupplier nanoClock) {
        this.capacity = limit.perMinute();
        this.tokensPerNano = (double) limit.perMinute() / MINUTE_NANOS;
        this.nanoClock = nanoClock;
        this.lastSweep = nanoClock.getAsLong();
    }

    /** Takes one request from the client's allowance: 0 when allowed, else the whole seconds until it may retry. */
    long acquire(InetAddress client) {
        long now = nanoClock.getAsLong();
        sweep(now);
        return buckets.computeIfAbsent(key(client), k -> new Bucket(capacity, now))
                .take(now);
    }

    int clients() {
        return buckets.size();
    }

    private void sweep(long now) {
        if (now - lastSweep < MINUTE_NANOS) {
            return;
        }
        lastSweep = now;
        buckets.values().removeIf(bucket -> bucket.fullAt(now));
    }

    private static InetAddress key(InetAddress client) {
        if (!(client instanceof Inet6Address)) {
            return client;
        }
        try {
            return InetAddress.getByAddress(network64(client.getAddress()));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 16 bytes are always an address
        }
    }

    private static byte[] network64(byte[] address) {
        byte[] network = address.clone();
        Arrays.fill(network, 8, 16, (byte) 0);
        return network;
    }

    private final class Bucket {
        private double tokens;
        private long updated;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updated = now;
        }

        synchronized long take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / tokensPerNano / 1e9));
        }

        synchronized boolean fullAt(long now) {
            refill(now);
            return tokens >= capacity;
        }

        private void refill(long now) {
            tokens = Math.min(capacity, tokens + (now - updated) * tokensPerNano);
            updated = now;
        }
    }
}
