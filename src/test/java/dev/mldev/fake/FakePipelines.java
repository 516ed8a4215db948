package dev.mldev.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.aiplatform.v1beta1.CancelPipelineJobRequest;
import com.google.cloud.aiplatform.v1beta1.CreatePipelineJobRequest;
import com.google.cloud.aiplatform.v1beta1.GetPipelineJobRequest;
import com.google.cloud.aiplatform.v1beta1.ListPipelineJobsRequest;
import com.google.cloud.aiplatform.v1beta1.ListPipelineJobsResponse;
import com.google.cloud.aiplatform.v1beta1.PipelineJob;
import com.google.cloud.aiplatform.v1beta1.PipelineJobDetail;
import com.google.cloud.aiplatform.v1beta1.PipelineState;
import com.google.cloud.aiplatform.v1beta1.PipelineTaskDetail;
import com.google.protobuf.Empty;
import com.google.protobuf.util.JsonFormat;
import dev.mldev.FileTrees;
import dev.mldev.testing.ImageRoot;
import dev.mldev.testing.ServingImage;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Vertex AI Pipelines' PipelineService (v1beta1) that really runs the one-container pipelines mldev compiles:
 * a created job is queued, pending, running, then succeeded or failed. Running means executing the component's
 * {@code command} and {@code args} inside this build's serving image ({@link ServingImage}, run with chroot) as
 * KFP does, with no stand-in programs: the command replaces the image's entrypoint, and Cloud Storage's /gcs
 * mount is a directory holding the fake bucket's objects (copied back after the run). Only {@code --device cuda}
 * becomes {@code --device cpu}, as no GPU exists here. Cancel stops a queued or running job.
 */
public final class FakePipelines implements AutoCloseable {
    private static final Pattern PLACEHOLDER =
            Pattern.compile("\\{\\{\\$\\.inputs\\.parameters\\['([a-z_]+)'\\]\\}\\}");

    private final FakeStorage storage;
    private final Map<String, PipelineJob> jobs = new LinkedHashMap<>();
    private final Map<String, Process> running = new LinkedHashMap<>();
    private final ExecutorService runner = Executors.newCachedThreadPool();
    private volatile java.time.Duration queuedFor = java.time.Duration.ofMillis(300);
    private volatile Supplier<ImageRoot> image = ServingImage::root;

    FakePipelines(FakeStorage storage) {
        this.storage = storage;
    }

    /** The image the components run in, instead of this build's serving image (whatever image the spec names). */
    public void setImage(Supplier<ImageRoot> image) {
        this.image = image;
    }

    /** How long a job stays queued, then pending, before it runs (long enough to cancel it in a test). */
    public void setQueueDelay(java.time.Duration delay) {
        this.queuedFor = delay;
    }

    /** A job started elsewhere, kept in the state given (nothing is run for it). */
    public synchronized void put(PipelineJob job) {
        jobs.put(job.getName(), job);
    }

    public synchronized List<PipelineJob> jobs() {
        return List.copyOf(jobs.values());
    }

    GrpcFakeServer.Service service() {
        return new GrpcFakeServer.Service(FakeVertex.V1BETA1 + "PipelineService")
                .unary(
                        "CreatePipelineJob",
                        CreatePipelineJobRequest.getDefaultInstance(),
                        PipelineJob.getDefaultInstance(),
                        this::create)
                .unary(
                        "GetPipelineJob",
                        GetPipelineJobRequest.getDefaultInstance(),
                        PipelineJob.getDefaultInstance(),
                        r -> job(r.getName()))
                .unary(
                        "ListPipelineJobs",
                        ListPipelineJobsRequest.getDefaultInstance(),
                        ListPipelineJobsResponse.getDefaultInstance(),
                        r -> ListPipelineJobsResponse.newBuilder()
                                .addAllPipelineJobs(jobs().stream()
                                        .filter(j -> j.getName().startsWith(r.getParent() + "/"))
                                        .filter(j -> FakeVertex.matches(
                                                r.getFilter(),
                                                j.getLabelsMap(),
                                                j.getState().name()))
                                        .toList())
                                .build())
                .unary(
                        "CancelPipelineJob",
                        CancelPipelineJobRequest.getDefaultInstance(),
                        Empty.getDefaultInstance(),
                        this::cancel);
    }

    private synchronized PipelineJob create(CreatePipelineJobRequest request) {
        PipelineJob wanted = request.getPipelineJob();
        if (wanted.getRuntimeConfig().getGcsOutputDirectory().isEmpty()) {
            throw Status.INVALID_ARGUMENT
                    .withDescription("runtime_config.gcs_output_directory is required.")
                    .asRuntimeException();
        }
        if (!"2.1.0"
                .equals(wanted.getPipelineSpec()
                        .getFieldsOrThrow("schemaVersion")
                        .getStringValue())) {
            throw Status.INVALID_ARGUMENT
                    .withDescription("unsupported pipeline spec schemaVersion")
                    .asRuntimeException();
        }
        String id = request.getPipelineJobId().isEmpty() ? "job-" + jobs.size() : request.getPipelineJobId();
        String name = request.getParent() + "/pipelineJobs/" + id;
        if (jobs.containsKey(name)) {
            throw Status.ALREADY_EXISTS
                    .withDescription("PipelineJob " + name + " already exists.")
                    .asRuntimeException();
        }
        PipelineJob job = wanted.toBuilder()
                .setName(name)
                .setCreateTime(FakeVertex.now())
                .setState(PipelineState.PIPELINE_STATE_QUEUED)
                .build();
        jobs.put(name, job);
        runner.submit(() -> run(name));
        return job;
    }

    private synchronized PipelineJob job(String name) {
        PipelineJob job = jobs.get(name);
        if (job == null) {
            throw Status.NOT_FOUND
                    .withDescription("PipelineJob " + name + " not found.")
                    .asRuntimeException();
        }
        return job;
    }

    private synchronized Empty cancel(CancelPipelineJobRequest request) {
        PipelineJob job = job(request.getName());
        if (job.getState() == PipelineState.PIPELINE_STATE_SUCCEEDED
                || job.getState() == PipelineState.PIPELINE_STATE_FAILED) {
            throw Status.FAILED_PRECONDITION
                    .withDescription("PipelineJob " + job.getName() + " has already ended.")
                    .asRuntimeException();
        }
        update(
                job.getName(),
                j -> j.toBuilder()
                        .setState(PipelineState.PIPELINE_STATE_CANCELLING)
                        .build());
        Process process = running.get(job.getName());
        if (process != null) {
            process.destroyForcibly();
        }
        return Empty.getDefaultInstance();
    }

    private void run(String name) {
        try {
            Thread.sleep(queuedFor.toMillis());
            if (!advance(name, PipelineState.PIPELINE_STATE_PENDING)) {
                return;
            }
            Thread.sleep(queuedFor.toMillis());
            if (!advance(name, PipelineState.PIPELINE_STATE_RUNNING)) {
                return;
            }
            PipelineTaskDetail.Builder task = PipelineTaskDetail.newBuilder()
                    .setTaskName("predict")
                    .setTaskId(1)
                    .setStartTime(FakeVertex.now())
                    .setState(PipelineTaskDetail.State.RUNNING);
            update(
                    name,
                    j -> j.toBuilder()
                            .setStartTime(task.getStartTime())
                            .setJobDetail(PipelineJobDetail.newBuilder().addTaskDetails(task))
                            .build());
            String error = execute(job(name));
            task.setEndTime(FakeVertex.now());
            synchronized (this) {
                if (job(name).getState() == PipelineState.PIPELINE_STATE_CANCELLING) {
                    task.setState(PipelineTaskDetail.State.CANCELLED);
                    finish(name, PipelineState.PIPELINE_STATE_CANCELLED, task);
                } else if (error == null) {
                    task.setState(PipelineTaskDetail.State.SUCCEEDED);
                    finish(name, PipelineState.PIPELINE_STATE_SUCCEEDED, task);
                } else {
                    task.setState(PipelineTaskDetail.State.FAILED)
                            .setError(com.google.rpc.Status.newBuilder()
                                    .setCode(com.google.rpc.Code.UNKNOWN_VALUE)
                                    .setMessage(error));
                    finish(name, PipelineState.PIPELINE_STATE_FAILED, task);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Moves a job on, unless it was cancelled meanwhile (then it ends CANCELLED). */
    private synchronized boolean advance(String name, PipelineState next) {
        if (job(name).getState() == PipelineState.PIPELINE_STATE_CANCELLING) {
            finish(name, PipelineState.PIPELINE_STATE_CANCELLED, null);
            return false;
        }
        update(name, j -> j.toBuilder().setState(next).build());
        return true;
    }

    private synchronized void finish(String name, PipelineState state, PipelineTaskDetail.Builder task) {
        update(name, j -> {
            PipelineJob.Builder done = j.toBuilder().setState(state).setEndTime(FakeVertex.now());
            if (task != null) {
                done.setJobDetail(PipelineJobDetail.newBuilder().addTaskDetails(task));
            }
            if (state == PipelineState.PIPELINE_STATE_FAILED) {
                done.setError(com.google.rpc.Status.newBuilder()
                        .setCode(com.google.rpc.Code.UNKNOWN_VALUE)
                        .setMessage("The DAG failed because some tasks failed. The failed tasks are: [predict]."));
            }
            return done.build();
        });
    }

    private synchronized void update(String name, Function<PipelineJob, PipelineJob> change) {
        jobs.put(name, change.apply(job(name)));
    }

    /**
     * Runs the component's command line inside the serving image as KFP does (placeholders resolved, the bucket
     * at /gcs/BUCKET); null when it exits 0, else its stderr (the task's error).
     */
    private String execute(PipelineJob job) throws IOException, InterruptedException {
        JsonNode spec = FakeHttps.JSON.readTree(JsonFormat.printer().print(job.getPipelineSpec()));
        JsonNode container =
                spec.path("deploymentSpec").path("executors").elements().next().path("container");
        ImageRoot image = this.image.get();
        Path gcs = Files.createTempDirectory("mldev-fake-gcs-");
        String bucket = container.path("args").get(0).asText().split("/")[2];
        Map<String, Long> before = materialize(bucket, gcs.resolve(bucket));
        List<String> command = new ArrayList<>();
        for (JsonNode part : iterate(container.path("command"), container.path("args"))) {
            // the one liberty taken: no GPU exists here
            command.add(substitute(part.asText(), job).replace("--device cuda", "--device cpu"));
        }
        Process process = image.command(command, Map.of(), Map.of("/gcs", gcs))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        synchronized (this) {
            running.put(job.getName(), process);
        }
        process.getOutputStream().close();
        byte[] stderr = process.getErrorStream().readAllBytes();
        boolean ended = process.waitFor(3, TimeUnit.MINUTES);
        synchronized (this) {
            running.remove(job.getName());
        }
        copyBack(bucket, gcs.resolve(bucket), before);
        FileTrees.delete(gcs);
        if (ended && process.exitValue() == 0) {
            return null;
        }
        String lines = new String(stderr, StandardCharsets.UTF_8)
                .lines()
                .filter(l -> !l.startsWith("SLF4J"))
                .reduce((a, b) -> a + "\n" + b)
                .orElse("")
                .strip();
        return lines.isEmpty() ? "the container exited with " + (ended ? process.exitValue() : "a timeout") : lines;
    }

    private String substitute(String text, PipelineJob job) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            var value = job.getRuntimeConfig().getParameterValuesMap().get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value.getStringValue()));
        }
        return m.appendTail(out).toString();
    }

    private Map<String, Long> materialize(String bucket, Path dir) throws IOException {
        Map<String, Long> written = new LinkedHashMap<>();
        for (var entry : storage.objects(bucket).entrySet()) {
            Path file = dir.resolve(entry.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, entry.getValue().bytes());
            written.put(entry.getKey(), Files.getLastModifiedTime(file).toMillis());
        }
        return written;
    }

    private void copyBack(String bucket, Path dir, Map<String, Long> before) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = dir.relativize(file).toString();
                Long old = before.get(name);
                if (old == null || Files.getLastModifiedTime(file).toMillis() != old) {
                    storage.put(bucket, name, Files.readAllBytes(file));
                }
            }
        }
    }

    private static List<JsonNode> iterate(JsonNode... arrays) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode array : arrays) {
            array.forEach(all::add);
        }
        return all;
    }

    @Override
    public void close() {
        runner.shutdownNow();
        synchronized (this) {
            running.values().forEach(Process::destroyForcibly);
        }
    }
}
