package dev.mldev.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.aiplatform.v1beta1.BatchPredictionJob;
import com.google.cloud.aiplatform.v1beta1.CancelBatchPredictionJobRequest;
import com.google.cloud.aiplatform.v1beta1.CompletionStats;
import com.google.cloud.aiplatform.v1beta1.CreateBatchPredictionJobRequest;
import com.google.cloud.aiplatform.v1beta1.GetBatchPredictionJobRequest;
import com.google.cloud.aiplatform.v1beta1.JobState;
import com.google.cloud.aiplatform.v1beta1.ListBatchPredictionJobsRequest;
import com.google.cloud.aiplatform.v1beta1.ListBatchPredictionJobsResponse;
import com.google.cloud.aiplatform.v1beta1.Model;
import com.google.protobuf.Empty;
import io.grpc.Status;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Vertex AI's JobService (v1beta1) for batch prediction: a created job is pending, then running, then succeeded,
 * failed or cancelled. Running means what Vertex AI does with a custom-container model: start the model's serving
 * container ({@link ServingContainer}, the real serving image's entrypoint), send it the instances of the input
 * JSON Lines files from the fake Cloud Storage in requests of {@link #BATCH_SIZE}, and write
 * {"instance": ..., "prediction": ...} lines to {@code OUTPUT_PREFIX/prediction-MODEL-TIME/predictions-00001-of-00001.jsonl}
 * (and {"instance": ..., "error": ...} to errors-00001-of-00001.jsonl for a request the container refused).
 * Cancel stops a pending or running job. Its methods join the JobService of {@link FakeCustomJobs}.
 */
public final class FakeBatchPredictionJobs implements AutoCloseable {
    /** manual_batch_tuning_parameters.batch_size when unset. */
    static final int BATCH_SIZE = 64;

    private static final Set<JobState> FINAL =
            Set.of(JobState.JOB_STATE_SUCCEEDED, JobState.JOB_STATE_FAILED, JobState.JOB_STATE_CANCELLED);
    private static final Pattern GS = Pattern.compile("gs://([^/]+)/(.*)");
    private static final DateTimeFormatter OUTPUT_TIME =
            DateTimeFormatter.ofPattern("yyyy_MM_dd'T'HH_mm_ss_SSS'Z'").withZone(ZoneOffset.UTC);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final FakeVertex vertex;
    private final FakeStorage storage;
    private final Map<String, BatchPredictionJob> jobs = new LinkedHashMap<>();
    private final Map<String, ServingContainer> running = new LinkedHashMap<>();
    private final ExecutorService runner = Executors.newCachedThreadPool();
    private final AtomicLong ids = new AtomicLong(7_000_000_000L);
    private volatile Duration pendingFor = Duration.ofMillis(300);

    FakeBatchPredictionJobs(FakeVertex vertex, FakeStorage storage) {
        this.vertex = vertex;
        this.storage = storage;
        vertex.setModelUsers(this::usesModel);
    }

    /** How long a job stays pending before it runs (long enough to cancel it in a test). */
    public void setPendingDelay(Duration delay) {
        this.pendingFor = delay;
    }

    /** A job started elsewhere, kept in the state given (nothing is run for it). */
    public synchronized void put(BatchPredictionJob job) {
        jobs.put(job.getName(), job);
    }

    public synchronized List<BatchPredictionJob> jobs() {
        return List.copyOf(jobs.values());
    }

    /** Adds the batch prediction methods to the JobService. */
    GrpcFakeServer.Service addTo(GrpcFakeServer.Service jobService) {
        return jobService
                .unary(
                        "CreateBatchPredictionJob",
                        CreateBatchPredictionJobRequest.getDefaultInstance(),
                        BatchPredictionJob.getDefaultInstance(),
                        this::create)
                .unary(
                        "GetBatchPredictionJob",
                        GetBatchPredictionJobRequest.getDefaultInstance(),
                        BatchPredictionJob.getDefaultInstance(),
                        r -> job(r.getName()))
                .unary(
                        "ListBatchPredictionJobs",
                        ListBatchPredictionJobsRequest.getDefaultInstance(),
                        ListBatchPredictionJobsResponse.getDefaultInstance(),
                        r -> ListBatchPredictionJobsResponse.newBuilder()
                                .addAllBatchPredictionJobs(jobs().stream()
                                        .filter(j -> j.getName().startsWith(r.getParent() + "/"))
                                        .filter(j -> FakeVertex.matches(
                                                r.getFilter(),
                                                j.getLabelsMap(),
                                                j.getState().name()))
                                        .toList())
                                .build())
                .unary(
                        "CancelBatchPredictionJob",
                        CancelBatchPredictionJobRequest.getDefaultInstance(),
                        Empty.getDefaultInstance(),
                        this::cancel);
    }

    private synchronized BatchPredictionJob create(CreateBatchPredictionJobRequest request) {
        BatchPredictionJob wanted = request.getBatchPredictionJob();
        if (wanted.getDisplayName().isEmpty()) {
            throw invalid("BatchPredictionJob.display_name is required.");
        }
        Model model = vertex.modelNamed(wanted.getModel());
        var input = wanted.getInputConfig();
        if (!input.getInstancesFormat().equals("jsonl")) {
            throw invalid(
                    "this fake reads only instances_format \"jsonl\", not \"" + input.getInstancesFormat() + "\".");
        }
        if (input.getGcsSource().getUrisCount() == 0) {
            throw invalid("input_config.gcs_source.uris is required.");
        }
        input.getGcsSource().getUrisList().forEach(uri -> gs(uri, "input_config.gcs_source.uris"));
        var output = wanted.getOutputConfig();
        if (!output.getPredictionsFormat().equals("jsonl")) {
            throw invalid("this fake writes only predictions_format \"jsonl\", not \"" + output.getPredictionsFormat()
                    + "\".");
        }
        gs(output.getGcsDestination().getOutputUriPrefix(), "output_config.gcs_destination.output_uri_prefix");
        var resources = wanted.getDedicatedResources();
        if (resources.getMachineSpec().getMachineType().isEmpty()) {
            throw invalid("dedicated_resources.machine_spec.machine_type is required: Model " + model.getName()
                    + " does not support automatic resources.");
        }
        if (resources.getStartingReplicaCount() < 1
                || resources.getMaxReplicaCount() != 0
                        && resources.getMaxReplicaCount() < resources.getStartingReplicaCount()) {
            throw invalid(
                    "dedicated_resources.starting_replica_count must be at least 1 and at most max_replica_count.");
        }
        String name = request.getParent() + "/batchPredictionJobs/" + ids.incrementAndGet();
        BatchPredictionJob job = wanted.toBuilder()
                .setName(name)
                .setCreateTime(FakeVertex.now())
                .setUpdateTime(FakeVertex.now())
                .setState(JobState.JOB_STATE_PENDING)
                .setModelVersionId("1")
                .build();
        jobs.put(name, job);
        runner.submit(() -> run(name, model));
        return job;
    }

    private synchronized BatchPredictionJob job(String name) {
        BatchPredictionJob job = jobs.get(name);
        if (job == null) {
            throw Status.NOT_FOUND
                    .withDescription("BatchPredictionJob " + name + " not found.")
                    .asRuntimeException();
        }
        return job;
    }

    private synchronized Empty cancel(CancelBatchPredictionJobRequest request) {
        BatchPredictionJob job = job(request.getName());
        if (FINAL.contains(job.getState())) {
            throw Status.FAILED_PRECONDITION
                    .withDescription(
                            "Cannot cancel BatchPredictionJob " + job.getName() + " in state " + job.getState() + ".")
                    .asRuntimeException();
        }
        if (job.getState() == JobState.JOB_STATE_PENDING) {
            update(
                    job.getName(),
                    j -> j.toBuilder()
                            .setState(JobState.JOB_STATE_CANCELLED)
                            .setEndTime(FakeVertex.now())
                            .build());
            return Empty.getDefaultInstance();
        }
        update(
                job.getName(),
                j -> j.toBuilder().setState(JobState.JOB_STATE_CANCELLING).build());
        ServingContainer container = running.remove(job.getName());
        if (container != null) {
            container.close();
        }
        return Empty.getDefaultInstance();
    }

    /** Whether a job that has not ended uses the model (Vertex AI refuses to delete it then). */
    private synchronized boolean usesModel(String model) {
        return jobs.values().stream().anyMatch(j -> j.getModel().equals(model) && !FINAL.contains(j.getState()));
    }

    private void run(String name, Model model) {
        try {
            Thread.sleep(pendingFor.toMillis());
            synchronized (this) {
                if (job(name).getState() == JobState.JOB_STATE_CANCELLED || cancelled(name)) {
                    return;
                }
                update(
                        name,
                        j -> j.toBuilder()
                                .setState(JobState.JOB_STATE_RUNNING)
                                .setStartTime(FakeVertex.now())
                                .build());
            }
            String error = predict(name, model);
            synchronized (this) {
                running.remove(name);
                if (cancelled(name)) {
                    return;
                }
                if (error == null) {
                    update(
                            name,
                            j -> j.toBuilder()
                                    .setState(JobState.JOB_STATE_SUCCEEDED)
                                    .setEndTime(FakeVertex.now())
                                    .build());
                } else {
                    update(
                            name,
                            j -> j.toBuilder()
                                    .setState(JobState.JOB_STATE_FAILED)
                                    .setEndTime(FakeVertex.now())
                                    .setError(com.google.rpc.Status.newBuilder()
                                            .setCode(com.google.rpc.Code.INTERNAL_VALUE)
                                            .setMessage(error))
                                    .build());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // a bug in the fake fails the job visibly instead of leaving it running for ever
            update(
                    name,
                    j -> j.toBuilder()
                            .setState(JobState.JOB_STATE_FAILED)
                            .setEndTime(FakeVertex.now())
                            .setError(com.google.rpc.Status.newBuilder()
                                    .setCode(com.google.rpc.Code.INTERNAL_VALUE)
                                    .setMessage("the fake failed: " + e))
                            .build());
        }
    }

    /** A job cancelled meanwhile ends CANCELLED; true then. */
    private synchronized boolean cancelled(String name) {
        if (job(name).getState() != JobState.JOB_STATE_CANCELLING) {
            return false;
        }
        update(
                name,
                j -> j.toBuilder()
                        .setState(JobState.JOB_STATE_CANCELLED)
                        .setEndTime(FakeVertex.now())
                        .build());
        return true;
    }

    /** Runs the instances through the model's container and writes the outputs; null when it worked, else the job's error. */
    private String predict(String name, Model model) {
        BatchPredictionJob job = job(name);
        List<JsonNode> instances = new ArrayList<>();
        for (String uri : job.getInputConfig().getGcsSource().getUrisList()) {
            List<String> lines = readMatching(uri);
            if (lines == null) {
                return "No files found for input URI " + uri + ".";
            }
            for (String line : lines) {
                try {
                    instances.add(FakeHttps.JSON.readTree(line));
                } catch (IOException e) {
                    return "Input " + uri + " has a line that is not JSON: " + e.getMessage();
                }
            }
        }
        ServingContainer.Runner containers = vertex.containerRunner();
        if (containers == null) {
            return "this fake starts no serving container: call FakeGoogleCloud.runServingImage() first";
        }
        ServingContainer container;
        try {
            container = containers.start(model, name, "batch");
        } catch (io.grpc.StatusRuntimeException e) {
            return e.getStatus().getDescription();
        }
        synchronized (this) {
            if (job(name).getState() == JobState.JOB_STATE_CANCELLING) {
                container.close();
                return null;
            }
            running.put(name, container);
        }
        StringBuilder predictions = new StringBuilder();
        StringBuilder errors = new StringBuilder();
        long ok = 0;
        long failed = 0;
        try {
            for (int from = 0; from < instances.size(); from += BATCH_SIZE) {
                List<JsonNode> batch = instances.subList(from, Math.min(instances.size(), from + BATCH_SIZE));
                ObjectNode body = FakeHttps.JSON.createObjectNode();
                batch.forEach(body.putArray("instances")::add);
                HttpResponse<String> answer = HTTP.send(
                        HttpRequest.newBuilder(container.predictUrl())
                                .timeout(Duration.ofMinutes(2))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode answers = answer.statusCode() == 200
                        ? FakeHttps.JSON.readTree(answer.body()).path("predictions")
                        : null;
                for (int i = 0; i < batch.size(); i++) {
                    ObjectNode row = FakeHttps.JSON.createObjectNode();
                    row.set("instance", batch.get(i));
                    if (answers != null && answers.size() == batch.size()) {
                        row.set("prediction", answers.get(i));
                        predictions.append(row).append('\n');
                        ok++;
                    } else {
                        row.putObject("error")
                                .put("code", 3)
                                .put("message", "HTTP " + answer.statusCode() + ": " + answer.body());
                        errors.append(row).append('\n');
                        failed++;
                    }
                }
                long done = ok;
                long bad = failed;
                update(
                        name,
                        j -> j.toBuilder()
                                .setCompletionStats(CompletionStats.newBuilder()
                                        .setSuccessfulCount(done)
                                        .setFailedCount(bad)
                                        .setIncompleteCount(instances.size() - done - bad))
                                .build());
            }
        } catch (IOException e) {
            return job(name).getState() == JobState.JOB_STATE_CANCELLING
                    ? null
                    : "the serving container failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            container.close();
        }
        writeOutputs(name, model, predictions.toString(), errors.toString());
        return null;
    }

    private void writeOutputs(String name, Model model, String predictions, String errors) {
        Matcher prefix = gs(job(name).getOutputConfig().getGcsDestination().getOutputUriPrefix(), "output prefix");
        String dir =
                (prefix.group(2).isEmpty() || prefix.group(2).endsWith("/") ? prefix.group(2) : prefix.group(2) + "/")
                        + "prediction-" + model.getDisplayName() + "-" + OUTPUT_TIME.format(java.time.Instant.now());
        storage.createBucket(prefix.group(1));
        storage.put(
                prefix.group(1),
                dir + "/predictions-00001-of-00001.jsonl",
                predictions.getBytes(StandardCharsets.UTF_8));
        if (!errors.isEmpty()) {
            storage.put(prefix.group(1), dir + "/errors-00001-of-00001.jsonl", errors.getBytes(StandardCharsets.UTF_8));
        }
        update(
                name,
                j -> j.toBuilder()
                        .setOutputInfo(BatchPredictionJob.OutputInfo.newBuilder()
                                .setGcsOutputDirectory("gs://" + prefix.group(1) + "/" + dir))
                        .build());
    }

    /** The lines of the objects a URI names ("*" matches within a name, as Cloud Storage wildcards do); null when none. */
    private List<String> readMatching(String uri) {
        Matcher m = gs(uri, "input");
        Pattern wanted = Pattern.compile(Pattern.quote(m.group(2)).replace("*", "\\E[^/]*\\Q"));
        List<String> lines = new ArrayList<>();
        boolean any = false;
        try {
            for (var object : storage.objects(m.group(1)).entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .toList()) {
                if (wanted.matcher(object.getKey()).matches()) {
                    any = true;
                    new String(object.getValue().bytes(), StandardCharsets.UTF_8)
                            .lines()
                            .filter(l -> !l.isBlank())
                            .forEach(lines::add);
                }
            }
        } catch (FakeHttps.HttpError noBucket) {
            return null;
        }
        return any ? lines : null;
    }

    private static Matcher gs(String uri, String field) {
        Matcher m = GS.matcher(uri);
        if (!m.matches()) {
            throw invalid(field + " must be a gs:// URI, not '" + uri + "'.");
        }
        return m;
    }

    private static RuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    private synchronized void update(String name, Function<BatchPredictionJob, BatchPredictionJob> change) {
        jobs.put(
                name,
                change.apply(job(name)).toBuilder()
                        .setUpdateTime(FakeVertex.now())
                        .build());
    }

    @Override
    public void close() {
        runner.shutdownNow();
        synchronized (this) {
            running.values().forEach(ServingContainer::close);
            running.clear();
        }
    }
}
