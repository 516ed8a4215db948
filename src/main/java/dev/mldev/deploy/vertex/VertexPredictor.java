package dev.mldev.deploy.vertex;

import dev.mldev.Durations;
import dev.mldev.ExitCodes;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.cloud.Backoff;
import dev.mldev.cloud.CloudContext;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import dev.mldev.deploy.PredictClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Sends images to a dedicated endpoint. An endpoint at zero replicas answers 429 "not yet ready ...
 * scale-up from zero" and starts waking: retried with exponential backoff and jitter until the wake timeout,
 * showing "waking endpoint from zero (42 s)". Reports the wake and total times.
 */
public final class VertexPredictor {
    private static final int TRANSIENT_ATTEMPTS = 4;
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

    private final PredictClient client;
    private final Supplier<String> accessToken;
    private final Duration initialBackoff;

    VertexPredictor(PredictClient client, Supplier<String> accessToken, Duration initialBackoff) {
        this.client = client;
        this.accessToken = accessToken;
        this.initialBackoff = initialBackoff;
    }

    public static VertexPredictor connect(CloudContext cloud) {
        return new VertexPredictor(new PredictClient(cloud.endpoints().httpClient()), cloud::accessToken, Duration.ofSeconds(1));
    }

    /** The answers in input order, with the time spent waking the endpoint (zero when it was up) and in all. */
    public record Result(List<Prediction> predictions, Duration wake, Duration total) {
    }

    public Result predict(String url, List<Predictor.Input> images, int topK, Duration wakeTimeout, Progress progress) {
        long start = System.nanoTime();
        long wakeStart = 0;
        int transientFailures = 0;
        Backoff backoff = new Backoff(initialBackoff, Duration.ofSeconds(15), 1.6);
        while (true) {
            long sentAt = System.nanoTime();
            try {
                List<Prediction> predictions = client.predict(URI.create(url), accessToken.get(), images, topK, REQUEST_TIMEOUT);
                progress.status("");
                Duration wake = wakeStart == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - wakeStart);
                return new Result(predictions, wake, Duration.ofNanos(System.nanoTime() - start));
            } catch (PredictClient.HttpError e) {
                if (isWaking(e)) {
                    wakeStart = wakeStart == 0 ? sentAt : wakeStart;
                    Duration waited = Duration.ofNanos(System.nanoTime() - wakeStart);
                    if (waited.compareTo(wakeTimeout) >= 0) {
                        progress.status("");
                        throw MldevException.remote("the endpoint did not wake from zero within " + Durations.format(wakeTimeout),
                                "try again (it may still be scaling up), or raise --wake-timeout", null);
                    }
                    progress.status("waking endpoint from zero (" + waited.toSeconds() + " s)");
                    Duration delay = backoff.nextDelay();
                    Duration left = wakeTimeout.minus(waited);
                    Backoff.sleep(delay.compareTo(left) > 0 ? left : delay);
                } else if (isTransient(e) && ++transientFailures < TRANSIENT_ATTEMPTS) {
                    Backoff.sleep(backoff.nextDelay());
                } else {
                    progress.status("");
                    throw failure(e, url);
                }
            }
        }
    }

    /** 429 and Vertex's "not yet ready ... scale-up" answers mean the endpoint is waking from zero. */
    private static boolean isWaking(PredictClient.HttpError e) {
        String text = String.valueOf(e.getMessage()).toLowerCase();
        return e.status() == 429 || text.contains("not yet ready") || text.contains("scale-up");
    }

    private static boolean isTransient(PredictClient.HttpError e) {
        return e.status() == 502 || e.status() == 503 || e.status() == 504;
    }

    private static MldevException failure(PredictClient.HttpError e, String url) {
        return switch (e.status()) {
            case 401 -> new MldevException(ExitCodes.REMOTE, "the endpoint refused the credentials",
                    "run 'gcloud auth application-default login' again, or check GOOGLE_APPLICATION_CREDENTIALS");
            case 403 -> new MldevException(ExitCodes.REMOTE, "permission denied on the endpoint: the account lacks aiplatform.endpoints.predict",
                    "grant roles/aiplatform.user on the project to the account in use");
            case 404 -> new MldevException(ExitCodes.REMOTE, "the endpoint at " + URI.create(url).getHost() + " does not exist: "
                    + e.getMessage(), "see 'mldev status'; deploy again if it was removed");
            default -> new MldevException(ExitCodes.REMOTE, "the endpoint answered HTTP " + e.status() + ": " + e.getMessage(), null);
        };
    }
}
