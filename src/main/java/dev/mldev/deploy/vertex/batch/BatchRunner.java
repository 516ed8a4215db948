package dev.mldev.deploy.vertex.batch;

import com.google.cloud.aiplatform.v1beta1.BatchPredictionJob;
import com.google.cloud.aiplatform.v1beta1.JobServiceClient;
import com.google.cloud.aiplatform.v1beta1.JobServiceSettings;
import com.google.cloud.aiplatform.v1beta1.JobState;
import dev.mldev.Durations;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.cloud.Backoff;
import dev.mldev.cloud.CloudContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Creates one BatchPredictionJob and follows it to its end (pending, running, then succeeded, failed or
 * cancelled), showing its state and how many instances are done; an interrupt (Ctrl-C) asks, then cancels it
 * and waits until Vertex AI has stopped it, so that its model can be deleted.
 */
final class BatchRunner implements AutoCloseable {
    private static final Set<JobState> FINAL = Set.of(
            JobState.JOB_STATE_SUCCEEDED,
            JobState.JOB_STATE_FAILED,
            JobState.JOB_STATE_CANCELLED,
            JobState.JOB_STATE_EXPIRED,
            JobState.JOB_STATE_PARTIALLY_SUCCEEDED);
    /** How long a cancelled job may take to stop before mldev gives up waiting. */
    private static final Duration CANCEL_WAIT = Duration.ofMinutes(5);

    private final CloudContext cloud;
    private final JobServiceClient client;
    private final Duration pollInterval;

    /** The user chose not to cancel: the job runs on, and needs its model and inputs. */
    static final class LeftRunning extends MldevException {
        LeftRunning(String message, String hint) {
            super(Kind.FAILURE, message, hint);
        }
    }

    BatchRunner(CloudContext cloud, Duration pollInterval) {
        this.cloud = cloud;
        this.pollInterval = pollInterval;
        try {
            this.client = JobServiceClient.create(
                    cloud.configureAiplatform(JobServiceSettings.newBuilder()).build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Vertex AI JobService client", e);
        }
    }

    BatchPredictionJob create(BatchPredictionJob job) {
        return cloud.retry()
                .call(
                        "creating batch prediction job " + job.getDisplayName(),
                        () -> client.createBatchPredictionJob(cloud.location(), job));
    }

    /** Polls until the job ends; throws unless it succeeded. */
    BatchPredictionJob follow(BatchPredictionJob created, Predicate<String> confirmCancel, Progress progress) {
        long start = System.nanoTime();
        BatchPredictionJob job = created;
        Backoff backoff = new Backoff(pollInterval, pollInterval.multipliedBy(10), 1.5);
        while (!FINAL.contains(job.getState())) {
            progress.status("batch job " + state(job.getState()) + done(job) + " ("
                    + Durations.format(Duration.ofSeconds(
                            Duration.ofNanos(System.nanoTime() - start).toSeconds())) + ")");
            try {
                Thread.sleep(backoff.nextDelay().toMillis());
            } catch (InterruptedException e) {
                progress.status("");
                if (!confirmCancel.test("cancel batch prediction job " + job.getName() + "?")) {
                    throw new LeftRunning(
                            "interrupted: batch prediction job " + job.getName() + " left running",
                            "follow it at " + consoleLink(job) + "; its model and inputs stay until you delete them");
                }
                cancel(job, progress);
                throw MldevException.failure("interrupted: cancelled batch prediction job " + job.getName(), null);
            }
            job = read(job.getName());
        }
        progress.status("");
        if (job.getState() != JobState.JOB_STATE_SUCCEEDED) {
            String why = job.getError().getMessage().isEmpty()
                    ? "no error was reported"
                    : job.getError().getMessage();
            throw MldevException.remote(
                    "batch prediction job " + state(job.getState()) + ": " + why, "see " + consoleLink(job), null);
        }
        return job;
    }

    /** Cancels the job and waits (without the interrupt that asked for it) until it has stopped. */
    void cancel(BatchPredictionJob job, Progress progress) {
        boolean interrupted = Thread.interrupted();
        try {
            progress.step("cancelling batch prediction job " + job.getName());
            cloud.retry()
                    .run(
                            "cancelling batch prediction job " + job.getName(),
                            () -> client.cancelBatchPredictionJob(job.getName()));
            long deadline = System.nanoTime() + CANCEL_WAIT.toNanos();
            BatchPredictionJob now = read(job.getName());
            while (!FINAL.contains(now.getState()) && System.nanoTime() < deadline) {
                Backoff.sleep(pollInterval);
                now = read(job.getName());
            }
            progress.step("batch prediction job " + state(now.getState()));
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private BatchPredictionJob read(String name) {
        return cloud.retry().call("reading batch prediction job " + name, () -> client.getBatchPredictionJob(name));
    }

    String consoleLink(BatchPredictionJob job) {
        String id = job.getName().substring(job.getName().lastIndexOf('/') + 1);
        return "https://console.cloud.google.com/vertex-ai/locations/" + cloud.region() + "/batch-predictions/" + id
                + "?project=" + cloud.project();
    }

    private static String done(BatchPredictionJob job) {
        long done = job.getCompletionStats().getSuccessfulCount()
                + job.getCompletionStats().getFailedCount();
        return done == 0 ? "" : ", " + done + " instances done";
    }

    static String state(JobState state) {
        return state.name().replace("JOB_STATE_", "").toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    @Override
    public void close() {
        client.close();
    }
}
