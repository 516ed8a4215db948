package dev.mldev.cloud;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.BaseServiceException;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Calls Google Cloud, retrying UNAVAILABLE, DEADLINE_EXCEEDED and RESOURCE_EXHAUSTED (HTTP 429 and 5xx for
 * Storage) with backoff and translating every other failure, and the last retried one, with {@link CloudErrors}.
 */
public final class Retry {
    private static final Set<StatusCode.Code> RETRIED =
            Set.of(StatusCode.Code.UNAVAILABLE, StatusCode.Code.DEADLINE_EXCEEDED, StatusCode.Code.RESOURCE_EXHAUSTED);

    private final String project;
    private final int maxAttempts;
    private final Duration initialDelay;
    private final Duration maxDelay;

    public Retry(String project, int maxAttempts, Duration initialDelay, Duration maxDelay) {
        this.project = project;
        this.maxAttempts = maxAttempts;
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
    }

    /** Five attempts over about a minute. */
    public static Retry standard(String project) {
        return new Retry(project, 5, Duration.ofSeconds(2), Duration.ofSeconds(30));
    }

    public <T> T call(String doing, Supplier<T> call) {
        Backoff backoff = new Backoff(initialDelay, maxDelay, 2.0);
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (ApiException e) {
                if (attempt >= maxAttempts
                        || !RETRIED.contains(e.getStatusCode().getCode())) {
                    throw CloudErrors.translate(e, doing, project);
                }
            } catch (BaseServiceException e) {
                if (attempt >= maxAttempts || !(e.getCode() == 429 || e.getCode() >= 500)) {
                    throw CloudErrors.translate(e, doing, project);
                }
            }
            Backoff.sleep(backoff.nextDelay());
        }
    }

    public void run(String doing, Runnable call) {
        call(doing, () -> {
            call.run();
            return null;
        });
    }
}
