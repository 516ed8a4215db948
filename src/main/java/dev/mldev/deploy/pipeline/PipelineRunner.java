package dev.mldev.deploy.pipeline;

import com.google.cloud.aiplatform.v1beta1.PipelineJob;
import com.google.cloud.aiplatform.v1beta1.PipelineServiceClient;
import com.google.cloud.aiplatform.v1beta1.PipelineServiceSettings;
import com.google.cloud.aiplatform.v1beta1.PipelineState;
import com.google.cloud.aiplatform.v1beta1.PipelineTaskDetail;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.mldev.Durations;
import dev.mldev.Failures;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.cloud.Backoff;
import dev.mldev.cloud.CloudContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Creates one PipelineJob and follows it to the end (queued, pending, running, then succeeded, failed or
 * cancelled), showing its state; an interrupt (Ctrl-C) cancels it. Reports the wall time and the GPU time
 * billed, from the task's start and end.
 */
final class PipelineRunner implements AutoCloseable {
    private final CloudContext cloud;
    private final PipelineServiceClient client;
    private final Duration pollInterval;

    PipelineRunner(CloudContext cloud, Duration pollInterval) {
        this.cloud = cloud;
        this.pollInterval = pollInterval;
        try {
            this.client = PipelineServiceClient.create(cloud.configureAiplatform(PipelineServiceSettings.newBuilder())
                    .build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Vertex AI Pipelines client", e);
        }
    }

    /** A finished run: the job, its wall time and the GPU time billed for its task. */
    record Finished(PipelineJob job, Duration wall, Duration gpuBilled) {}

    PipelineJob create(
            String runId,
            String displayName,
            String specJson,
            Map<String, String> parameters,
            String outputDirectory,
            Map<String, String> labels,
            String serviceAccount) {
        Struct.Builder spec = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(specJson, spec);
        } catch (IOException e) {
            throw new IllegalStateException("the compiled pipeline spec is not JSON", e);
        }
        PipelineJob.RuntimeConfig.Builder runtime =
                PipelineJob.RuntimeConfig.newBuilder().setGcsOutputDirectory(outputDirectory);
        parameters.forEach((k, v) -> runtime.putParameterValues(
                k, Value.newBuilder().setStringValue(v).build()));
        PipelineJob.Builder job = PipelineJob.newBuilder()
                .setDisplayName(displayName)
                .setPipelineSpec(spec)
                .setRuntimeConfig(runtime)
                .putAllLabels(labels);
        if (serviceAccount != null) {
            job.setServiceAccount(serviceAccount);
        }
        return cloud.retry()
                .call(
                        "creating pipeline run " + runId,
                        () -> client.createPipelineJob(cloud.location(), job.build(), runId));
    }

    /**
     * Polls until the job ends. If this thread is interrupted (Ctrl-C), cancels the job when {@code confirmCancel}
     * agrees. Failures throw with the task's error.
     */
    Finished follow(PipelineJob created, int gpuCount, Predicate<String> confirmCancel, Progress progress) {
        long start = System.nanoTime();
        PipelineJob job = created;
        Backoff backoff = new Backoff(pollInterval, pollInterval.multipliedBy(10), 1.5);
        while (!isFinal(job.getState())) {
            progress.status("pipeline run " + state(job.getState()) + " ("
                    + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s)");
            try {
                Thread.sleep(backoff.nextDelay().toMillis());
            } catch (InterruptedException e) {
                progress.status("");
                if (!confirmCancel.test("cancel pipeline run " + job.getName() + "?")) {
                    throw MldevException.failure(
                            "interrupted: pipeline run " + job.getName() + " left running",
                            "follow it at " + consoleLink(job));
                }
                cancel(job.getName());
                throw MldevException.failure("interrupted: cancelled pipeline run " + job.getName(), null);
            }
            String name = job.getName();
            job = cloud.retry().call("reading pipeline run " + name, () -> client.getPipelineJob(name));
        }
        progress.status("");
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        if (job.getState() != PipelineState.PIPELINE_STATE_SUCCEEDED) {
            throw failed(job);
        }
        Duration task =
                task(job).map(t -> between(t.getStartTime(), t.getEndTime())).orElse(Duration.ZERO);
        return new Finished(job, wall, task.multipliedBy(Math.max(gpuCount, 0)));
    }

    void cancel(String jobName) {
        cloud.retry().run("cancelling pipeline run " + jobName, () -> client.cancelPipelineJob(jobName));
    }

    /** Where the run is shown in the Cloud console. */
    String consoleLink(PipelineJob job) {
        String id = job.getName().substring(job.getName().lastIndexOf('/') + 1);
        return "https://console.cloud.google.com/vertex-ai/locations/" + cloud.region() + "/pipelines/runs/" + id
                + "?project=" + cloud.project();
    }

    private MldevException failed(PipelineJob job) {
        String why = task(job)
                .filter(t -> !t.getError().getMessage().isEmpty())
                .map(t -> t.getError().getMessage())
                .orElse(
                        job.getError().getMessage().isEmpty()
                                ? "no error was reported"
                                : job.getError().getMessage());
        return MldevException.remote(
                "pipeline run " + state(job.getState()) + ": " + Failures.firstLine(why),
                "see the run's logs: " + consoleLink(job),
                null);
    }

    private static Optional<PipelineTaskDetail> task(PipelineJob job) {
        return job.getJobDetail().getTaskDetailsList().stream()
                .filter(t -> PipelineSpecCompiler.TASK.equals(t.getTaskName()))
                .findFirst();
    }

    private static boolean isFinal(PipelineState state) {
        return state == PipelineState.PIPELINE_STATE_SUCCEEDED
                || state == PipelineState.PIPELINE_STATE_FAILED
                || state == PipelineState.PIPELINE_STATE_CANCELLED;
    }

    static String state(PipelineState state) {
        return state.name().replace("PIPELINE_STATE_", "").toLowerCase(Locale.ROOT);
    }

    private static Duration between(Timestamp start, Timestamp end) {
        if (start.getSeconds() == 0 || end.getSeconds() == 0) {
            return Duration.ZERO;
        }
        return Duration.ofSeconds(end.getSeconds() - start.getSeconds(), end.getNanos() - start.getNanos());
    }

    static String format(Duration d) {
        return Durations.format(Duration.ofSeconds(Math.max(0, d.toSeconds())));
    }

    @Override
    public void close() {
        client.close();
    }
}
