package dev.mldev.deploy.vertex;

import dev.mldev.Durations;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.cloud.Backoff;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.CloudErrors;
import dev.mldev.deploy.PredictClient;
import dev.mldev.runtime.ImageResult;
import dev.mldev.runtime.PendingImage;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Sends images to a dedicated endpoint, split into requests under its 10 MB limit. An endpoint at zero replicas
 * answers 429 "not yet ready ... scale-up from zero" and starts waking, and during a GPU cold start its front
 * also answers 502/503/504: all are retried with exponential backoff and jitter until the wake timeout, showing
 * "waking endpoint from zero (42 s)". A 429 about quota stops at once, naming the quota. Reports the wake and
 * total times.
 */
public final class VertexPredictor {
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);
    /** Answers that refuse a request's image (bad, too large), not the endpoint as a whole. */
    private static final Set<Integer> BAD_INPUT = Set.of(400, 413, 422);

    private final PredictClient client;
    private final Supplier<String> accessToken;
    private final Duration initialBackoff;
    private final long requestLimit;
    private final Consumer<String> notice;

    VertexPredictor(
            PredictClient client,
            Supplier<String> accessToken,
            Duration initialBackoff,
            long requestLimit,
            Consumer<String> notice) {
        this.client = client;
        this.accessToken = accessToken;
        this.initialBackoff = initialBackoff;
        this.requestLimit = requestLimit;
        this.notice = notice;
    }

    /** @param notice one-line messages for stderr (that the images go in several requests) */
    public static VertexPredictor connect(CloudContext cloud, Consumer<String> notice) {
        return new VertexPredictor(
                new PredictClient(cloud.endpoints().httpClient()),
                cloud::accessToken,
                Duration.ofSeconds(1),
                PredictRequests.DEDICATED_ENDPOINT_LIMIT,
                notice);
    }

    /** The answers in input order, with the time spent waking the endpoint (zero when it was up) and in all. */
    public record Result(List<Prediction> predictions, Duration wake, Duration total, int requests) {}

    public Result predict(String url, List<Predictor.Input> images, int topK, Duration wakeTimeout, Progress progress) {
        List<List<Predictor.Input>> requests = PredictRequests.split(images, requestLimit);
        if (requests.size() > 1) {
            notice.accept("sending the " + images.size() + " images in " + requests.size()
                    + " requests, in order: a dedicated" + " endpoint takes at most "
                    + PredictRequests.megabytes(requestLimit) + " per request");
        }
        Wake wake = new Wake(wakeTimeout, progress);
        List<Prediction> predictions = new ArrayList<>(images.size());
        for (List<Predictor.Input> request : requests) {
            predictions.addAll(send(url, request, topK, wake));
        }
        progress.status("");
        return new Result(predictions, wake.spent(), Duration.ofNanos(System.nanoTime() - wake.start), requests.size());
    }

    /** How a stream went: the images predicted (failed ones not counted), the wake and total times, the requests. */
    public record Streamed(int predictions, Duration wake, Duration total, int requests) {}

    /**
     * Predicts a stream of images, reading them only as their request is made: requests under the endpoint's
     * limit, the first alone (it wakes the endpoint from zero, retrying until the wake timeout), then at most
     * {@code inFlight} under way. Each result goes to {@code results} in input order. An image that cannot be
     * read, is over the limit on its own, or that the endpoint refuses as bad input (400, 413, 422) becomes a
     * failed result (a request of several images so refused is sent again one image a request, to find which);
     * any other error stops the stream, as does {@code results} throwing.
     */
    public Streamed predictEach(
            String url,
            Iterator<PendingImage> images,
            int topK,
            Duration wakeTimeout,
            int inFlight,
            Progress progress,
            Consumer<ImageResult> results) {
        Wake wake = new Wake(wakeTimeout, progress);
        PredictRequests.Batches requests = new PredictRequests.Batches(images, requestLimit);
        ExecutorService senders = Executors.newFixedThreadPool(inFlight, VertexPredictor::daemon);
        ArrayDeque<Future<List<ImageResult>>> pending = new ArrayDeque<>();
        int predicted = 0;
        int sent = 0;
        boolean awake = false;
        try {
            while (requests.hasNext() || !pending.isEmpty()) {
                List<ImageResult> answer;
                if (!awake) {
                    List<PredictRequests.Slot> request = requests.next();
                    awake = request.stream().anyMatch(slot -> slot.input() != null);
                    sent += awake ? 1 : 0;
                    answer = answer(url, request, topK, wake);
                } else {
                    while (pending.size() < inFlight && requests.hasNext()) {
                        List<PredictRequests.Slot> request = requests.next();
                        sent++;
                        pending.add(senders.submit(() -> answer(url, request, topK, wake)));
                    }
                    answer = await(pending.remove());
                }
                answer.forEach(results);
                predicted += (int) answer.stream().filter(ImageResult::ok).count();
            }
        } finally {
            pending.forEach(request -> request.cancel(true));
            senders.shutdownNow();
            progress.status("");
        }
        return new Streamed(predicted, wake.spent(), Duration.ofNanos(System.nanoTime() - wake.start), sent);
    }

    private List<ImageResult> answer(String url, List<PredictRequests.Slot> request, int topK, Wake wake) {
        List<Predictor.Input> inputs = request.stream()
                .map(PredictRequests.Slot::input)
                .filter(Objects::nonNull)
                .toList();
        Iterator<ImageResult> answers;
        try {
            answers = inputs.isEmpty()
                    ? Collections.emptyIterator()
                    : attempt(url, inputs, topK, wake).stream()
                            .map(ImageResult::of)
                            .iterator();
        } catch (Refused e) {
            if (!BAD_INPUT.contains(e.failure.status())) {
                throw failure(e.failure, url);
            }
            if (inputs.size() > 1) { // one bad image refuses its whole request: send each alone to find it
                List<ImageResult> out = new ArrayList<>(request.size());
                request.forEach(slot -> out.addAll(answer(url, List.of(slot), topK, wake)));
                return out;
            }
            answers = List.of(ImageResult.failed(inputs.get(0).name(), failure(e.failure, url)))
                    .iterator();
        }
        List<ImageResult> out = new ArrayList<>(request.size());
        for (PredictRequests.Slot slot : request) {
            out.add(slot.input() == null ? slot.failed() : answers.next());
        }
        return out;
    }

    private static List<ImageResult> await(Future<List<ImageResult>> request) {
        try {
            return request.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MldevException.failure("interrupted", null);
        }
    }

    private static Thread daemon(Runnable task) {
        Thread thread = new Thread(task, "vertex-predict");
        thread.setDaemon(true);
        return thread;
    }

    private List<Prediction> send(String url, List<Predictor.Input> images, int topK, Wake wake) {
        try {
            return attempt(url, images, topK, wake);
        } catch (Refused e) {
            throw failure(e.failure, url);
        }
    }

    /** Sends one request, retrying while the endpoint wakes; throws {@link Refused} on any other error answer. */
    private List<Prediction> attempt(String url, List<Predictor.Input> images, int topK, Wake wake) {
        Backoff backoff = new Backoff(initialBackoff, Duration.ofSeconds(15), 1.6);
        while (true) {
            long sentAt = System.nanoTime();
            try {
                List<Prediction> answer =
                        client.predict(URI.create(url), accessToken.get(), images, topK, REQUEST_TIMEOUT);
                wake.finished();
                return answer;
            } catch (PredictClient.HttpError e) {
                PredictFailure failure = PredictFailure.of(e);
                if (!failure.retriable()) {
                    wake.progress.status("");
                    throw new Refused(failure);
                }
                wake.waitBeforeRetry(failure, sentAt, backoff.nextDelay());
            }
        }
    }

    /** An error answer that waiting does not fix. */
    private static final class Refused extends RuntimeException {
        final PredictFailure failure;

        Refused(PredictFailure failure) {
            super(failure.message(), null, false, false);
            this.failure = failure;
        }
    }

    /** The wake from zero: when it began, and the deadline all requests share (from several threads). */
    private static final class Wake {
        final long start = System.nanoTime();
        final Duration timeout;
        final Progress progress;
        long began;
        long ended;

        Wake(Duration timeout, Progress progress) {
            this.timeout = timeout;
            this.progress = progress;
        }

        void waitBeforeRetry(PredictFailure failure, long sentAt, Duration delay) {
            Backoff.sleep(beforeRetry(failure, sentAt, delay));
        }

        private synchronized Duration beforeRetry(PredictFailure failure, long sentAt, Duration delay) {
            began = began == 0 ? sentAt : began;
            Duration waited = Duration.ofNanos(System.nanoTime() - began);
            if (waited.compareTo(timeout) >= 0) {
                progress.status("");
                throw MldevException.remote(
                        "the endpoint did not wake from zero within " + Durations.format(timeout)
                                + " (last answer: HTTP " + failure.status() + " " + failure.message() + ")",
                        "try again (it may still be scaling up), or raise --wake-timeout",
                        null);
            }
            progress.status(
                    failure.kind() == PredictFailure.Kind.WAKING
                            ? "waking endpoint from zero (" + waited.toSeconds() + " s)"
                            : "waking endpoint from zero: HTTP " + failure.status() + " while it starts ("
                                    + waited.toSeconds() + " s)");
            Duration left = timeout.minus(waited);
            return delay.compareTo(left) > 0 ? left : delay;
        }

        synchronized void finished() {
            if (began != 0 && ended == 0) {
                ended = System.nanoTime();
            }
        }

        synchronized Duration spent() {
            return began == 0 ? Duration.ZERO : Duration.ofNanos(ended - began);
        }
    }

    private static MldevException failure(PredictFailure failure, String url) {
        return switch (failure.kind()) {
            case QUOTA ->
                new MldevException(
                        MldevException.Kind.REMOTE,
                        "quota exceeded" + (failure.quota() == null ? "" : " for " + failure.quota()) + ": "
                                + failure.message(),
                        CloudErrors.quotaHint(project(url), failure.quota()));
            case TOO_LARGE ->
                new MldevException(
                        MldevException.Kind.REMOTE,
                        "the endpoint refused the request as too large (HTTP " + failure.status() + "): "
                                + failure.message(),
                        "send fewer or smaller images per call");
            default ->
                switch (failure.status()) {
                    case 401 ->
                        new MldevException(
                                MldevException.Kind.REMOTE,
                                "the endpoint refused the credentials",
                                "run 'gcloud auth application-default login' again, or check GOOGLE_APPLICATION_CREDENTIALS");
                    case 403 ->
                        new MldevException(
                                MldevException.Kind.REMOTE,
                                "permission denied on the endpoint: the account lacks"
                                        + " aiplatform.endpoints.predict",
                                "grant roles/aiplatform.user on the project to the account in use");
                    case 404 ->
                        new MldevException(
                                MldevException.Kind.REMOTE,
                                "the endpoint at " + URI.create(url).getHost() + " does not exist: "
                                        + failure.message(),
                                "see 'mldev status'; deploy again if it was removed");
                    default ->
                        new MldevException(
                                MldevException.Kind.REMOTE,
                                "the endpoint answered HTTP " + failure.status() + ": " + failure.message(),
                                null);
                };
        };
    }

    /** The project in .../v1beta1/projects/P/locations/..., for the quota page's address. */
    private static String project(String url) {
        String path = URI.create(url).getPath();
        int at = path.indexOf("/projects/");
        return at < 0 ? "PROJECT" : path.substring(at + "/projects/".length()).split("/")[0];
    }
}
