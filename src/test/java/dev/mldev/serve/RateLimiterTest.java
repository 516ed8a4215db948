package dev.mldev.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.MldevException;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-client token bucket, on a clock the test moves; and how serve chooses its limit. */
class RateLimiterTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong clock = new AtomicLong(42 * SECOND);

    private static InetAddress ip(String address) throws Exception {
        return InetAddress.getByName(address);
    }

    @Test
    void aClientSpendsTheMinutesAllowanceThenWaitsForTheNextToken() throws Exception {
        RateLimiter limiter = new RateLimiter(new RateLimit(3), clock::get);
        InetAddress client = ip("192.0.2.1");
        assertThat(limiter.acquire(client)).isZero();
        assertThat(limiter.acquire(client)).isZero();
        assertThat(limiter.acquire(client)).isZero();
        assertThat(limiter.acquire(client)).as("3/min: one token each 20 s").isEqualTo(20);
        clock.addAndGet(15 * SECOND);
        assertThat(limiter.acquire(client)).isEqualTo(5);
        clock.addAndGet(5 * SECOND);
        assertThat(limiter.acquire(client)).isZero();
        assertThat(limiter.acquire(ip("192.0.2.2")))
                .as("another client has its own allowance")
                .isZero();
    }

    @Test
    void ipv6ClientsAreCountedByTheirSlash64() throws Exception {
        RateLimiter limiter = new RateLimiter(new RateLimit(1), clock::get);
        assertThat(limiter.acquire(ip("2001:db8:1:2::1"))).isZero();
        assertThat(limiter.acquire(ip("2001:db8:1:2:ffff::9"))).as("same /64").isEqualTo(60);
        assertThat(limiter.acquire(ip("2001:db8:1:3::1"))).as("another /64").isZero();
    }

    @Test
    void idleClientsAreForgotten() throws Exception {
        RateLimiter limiter = new RateLimiter(new RateLimit(10), clock::get);
        for (int i = 1; i <= 50; i++) {
            limiter.acquire(ip("198.51.100." + i));
        }
        assertThat(limiter.clients()).isEqualTo(50);
        clock.addAndGet(61 * SECOND);
        limiter.acquire(ip("203.0.113.7"));
        assertThat(limiter.clients()).isEqualTo(1);
    }

    @Test
    void theFlagIsNPerMinuteOrOff() {
        assertThat(RateLimit.parse("30/min")).isEqualTo(new RateLimit(30));
        assertThat(RateLimit.parse(" 5 / min")).isEqualTo(new RateLimit(5));
        assertThat(RateLimit.parse("off")).isNull();
        for (String bad : new String[] {"0/min", "30", "30/s", "-1/min", "many"}) {
            assertThatThrownBy(() -> RateLimit.parse(bad))
                    .isInstanceOf(MldevException.class)
                    .hasMessage("--rate-limit must be N/min with N of 1 or more, or off; not '" + bad + "'");
        }
    }

    @Test
    void onByDefaultOnlyWhenPublic() {
        assertThat(RateLimit.forServer(null, false, false, "127.0.0.1"))
                .as("loopback")
                .isNull();
        assertThat(RateLimit.forServer(null, false, false, "0.0.0.0")).isEqualTo(RateLimit.PUBLIC_DEFAULT);
        assertThat(RateLimit.forServer(null, true, false, "127.0.0.1"))
                .as("--public")
                .isEqualTo(RateLimit.PUBLIC_DEFAULT);
        assertThat(RateLimit.forServer(null, false, true, "0.0.0.0"))
                .as("on Vertex AI")
                .isNull();
        assertThat(RateLimit.forServer("off", true, false, "0.0.0.0")).isNull();
        assertThat(RateLimit.forServer("100/min", false, false, "127.0.0.1")).isEqualTo(new RateLimit(100));
    }
}
