package dev.mldev.deploy.cloudrun;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.IdTokenCredentials;
import com.google.auth.oauth2.IdTokenProvider;
import dev.mldev.Durations;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.cloud.Backoff;
import dev.mldev.deploy.PredictClient;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Sends images to a Cloud Run service. At zero instances Cloud Run holds the request while an instance starts (no
 * 429 as on Vertex AI), so one request waits through the cold start, up to the wake timeout; answers that say "no
 * instance yet" (429 when max instances are busy, 500/502/503/504 while one starts) are retried with backoff until
 * the same deadline. A private service gets an ID token whose audience is its URL, from Application Default
 * Credentials.
 */
public final class CloudRunPredictor {
    private static final Set<Integer> RETRIED = Set.of(429, 500, 502, 503, 504);

    private final PredictClient client;
    private final Supplier<String> idToken;
    private final Duration initialBackoff;

    CloudRunPredictor(PredictClient client, Supplier<String> idToken, Duration initialBackoff) {
        this.client = client;
        this.idToken = idToken;
        this.initialBackoff = initialBackoff;
    }

    /** @param idToken null for a public service (no Authorization header) */
    public static CloudRunPredictor connect(PredictClient client, Supplier<String> idToken) {
        return new CloudRunPredictor(client, idToken, Duration.ofSeconds(1));
    }

    /** An ID token for {@code audience} (the service URL) from the credentials, or exit 4 saying why there is none. */
    public static Supplier<String> idTokens(GoogleCredentials credentials, String audience) {
        if (!(credentials instanceof IdTokenProvider provider)) {
            throw MldevException.usage(
                    "these credentials (" + credentials.getClass().getSimpleName() + ") cannot make the ID token"
                            + " a private Cloud Run service needs",
                    "use a service-account key or 'gcloud auth application-default login', or deploy with --public");
        }
        IdTokenCredentials tokens = IdTokenCredentials.newBuilder()
                .setIdTokenProvider(provider)
                .setTargetAudience(audience)
                .build();
        return () -> {
            try {
                tokens.refreshIfExpired();
                return tokens.getIdToken().getTokenValue();
            } catch (IOException e) {
                throw MldevException.remote(
                        "cannot get an ID token for " + audience + ": " + e.getMessage(),
                        "check the credentials in use (mldev doctor)",
                        e);
            }
        };
    }

    /** The predictions and how long they took (a cold start included). */
    public record Result(List<Prediction> predictions, Duration total) {}

    public Result predict(String url, List<Predictor.Input> images, int topK, Duration wakeTimeout, Progress progress) {
        long start = System.nanoTime();
        Backoff backoff = new Backoff(initialBackoff, Duration.ofSeconds(15), 1.6);
        URI predict = URI.create(url.replaceAll("/+$", "") + CloudRunResources.PREDICT_ROUTE);
        while (true) {
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            Duration left = wakeTimeout.minus(waited);
            progress.status(waited.isZero() ? "" : "waiting for an instance to start (" + waited.toSeconds() + " s)");
            try {
                List<Prediction> answer =
                        client.predict(predict, idToken == null ? null : idToken.get(), images, topK, left);
                progress.status("");
                return new Result(answer, Duration.ofNanos(System.nanoTime() - start));
            } catch (PredictClient.HttpError e) {
                if (!RETRIED.contains(e.status())) {
                    progress.status("");
                    throw refused(e, url);
                }
                Duration delay = backoff.nextDelay();
                if (Duration.ofNanos(System.nanoTime() - start).plus(delay).compareTo(wakeTimeout) >= 0) {
                    progress.status("");
                    throw MldevException.remote(
                            "the service did not answer within " + Durations.format(wakeTimeout)
                                    + " (last answer: HTTP " + e.status() + " " + e.getMessage() + ")",
                            "try again (an instance may still be starting), or raise --wake-timeout",
                            null);
                }
                Backoff.sleep(delay);
            }
        }
    }

    private static MldevException refused(PredictClient.HttpError e, String url) {
        return switch (e.status()) {
            case 401 ->
                MldevException.remote(
                        "the service at " + url + " refused the request: no valid ID token",
                        "check the credentials in use (mldev doctor); a user's ID token is accepted only with roles/run.invoker",
                        null);
            case 403 ->
                MldevException.remote(
                        "the service at " + url + " refused the caller: it lacks roles/run.invoker",
                        "grant it: gcloud run services add-iam-policy-binding SERVICE --member=user:YOU --role=roles/run.invoker,"
                                + " or deploy again with --public",
                        null);
            case 404 ->
                MldevException.remote(
                        "the service at " + url + " does not exist: " + e.getMessage(),
                        "see 'mldev status'; deploy again if it was removed",
                        null);
            default ->
                MldevException.remote("the service answered HTTP " + e.status() + ": " + e.getMessage(), null, null);
        };
    }
}
