package dev.mldev.deploy.vertex.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.aiplatform.v1beta1.BatchPredictionJob;
import com.google.cloud.storage.Storage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.bundle.Bundle;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.GcsLocation;
import dev.mldev.cloud.GcsTransfer;
import dev.mldev.cloud.StorageClients;
import dev.mldev.cost.PriceTable;
import dev.mldev.deploy.vertex.VertexModels;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * {@code mldev batch}: many images through one Vertex AI BatchPredictionJob on N GPU replicas, with zero idle cost
 * by construction. The bundle becomes a Model (as a deploy uploads it), the images one JSON Lines file; the job
 * runs; its outputs are read back (or left under --output); then the Model is deleted unless an earlier run had
 * uploaded it, and the run's files are deleted. Nothing of it exists before or after.
 */
public final class VertexBatch {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter RUN_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    static final String INSTANCES_FILE = "instances.jsonl";

    private final Environment env;
    private final Predicate<String> confirmCancel;
    private final Duration pollInterval;

    /** @param confirmCancel asked on Ctrl-C whether to cancel the job (a TTY asks the user; elsewhere: yes) */
    public VertexBatch(Environment env, Predicate<String> confirmCancel, Duration pollInterval) {
        this.env = env;
        this.confirmCancel = confirmCancel;
        this.pollInterval = pollInterval;
    }

    /** A dry run: the job request under "batch_prediction_job", the calls, and the forecast. */
    public record Plan(ObjectNode json, BatchForecast forecast) {}

    /** A finished job: the predictions (empty when outputs stay in Cloud Storage), where its outputs are, its wall time. */
    public record Result(
            List<Prediction> predictions, String job, String outputDirectory, boolean outputsKept, Duration wall) {}

    public Plan plan(Path bundlePath, BatchSpec.Flags flags, PriceTable prices) {
        Bundle bundle = Bundle.openVerified(bundlePath);
        BatchSpec spec = BatchSpec.check(flags, bundle.manifest());
        Run run = new Run(spec);
        String model = "projects/" + spec.vertex().project() + "/locations/"
                + spec.vertex().region() + "/models/(uploaded by the run)";
        BatchPredictionJob job = BatchRequest.of(spec, run.id, model, run.inputs(spec), run.outputPrefix(spec));
        ObjectNode plan = JSON.createObjectNode();
        plan.put(
                "plan",
                "batch " + bundle.manifest().name() + " " + bundle.manifest().version() + " on " + spec.replicas()
                        + " x "
                        + spec.vertex().machineType()
                        + spec.vertex()
                                .gpu()
                                .map(g -> " with " + spec.vertex().gpuCount() + " x " + g.gcloudName())
                                .orElse("")
                        + " (dry run: nothing is called)");
        plan.putArray("calls")
                .add("storage upload the bundle to gs://" + spec.vertex().bucket() + "/mldev/"
                        + spec.vertex().name() + "/")
                .add("ModelService.UploadModel with image " + spec.vertex().image()
                        + " (unless an earlier run uploaded it)")
                .add(
                        spec.gcsInputs().isEmpty()
                                ? "storage upload " + spec.localInputs() + " images as "
                                        + run.folder(spec).uri() + INSTANCES_FILE
                                : "read the instances in " + String.join(", ", spec.gcsInputs()))
                .add("JobService.CreateBatchPredictionJob, then GetBatchPredictionJob until it ends")
                .add(
                        spec.output() == null
                                ? "read the predictions back, delete "
                                        + run.folder(spec).uri()
                                : "leave the predictions under " + spec.output())
                .add("ModelService.DeleteModel (unless an earlier run uploaded it)");
        try {
            plan.set("batch_prediction_job", JSON.readTree(JsonFormat.printer().print(job)));
        } catch (InvalidProtocolBufferException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the batch job request does not print as JSON", e);
        }
        BatchForecast forecast = BatchForecast.of(prices, spec, spec.gcsInputs().isEmpty() ? spec.localInputs() : null);
        plan.set("forecast", forecast.toJson());
        return new Plan(plan, forecast);
    }

    public Result run(Path bundlePath, BatchSpec.Flags flags, List<Predictor.Input> images, Progress progress) {
        Bundle bundle = Bundle.openVerified(bundlePath);
        BatchSpec spec = BatchSpec.check(flags, bundle.manifest());
        CloudContext cloud =
                CloudContext.connect(env, spec.vertex().project(), spec.vertex().region());
        Run run = new Run(spec);
        long start = System.nanoTime();
        VertexModels.Uploaded model = VertexModels.upload(cloud, bundle, spec.vertex(), progress);
        boolean jobRunsOn = false;
        try (Storage storage = StorageClients.create(cloud);
                BatchRunner runner = new BatchRunner(cloud, pollInterval)) {
            GcsTransfer gcs = new GcsTransfer(storage, cloud.retry());
            try {
                if (spec.gcsInputs().isEmpty()) {
                    progress.step("uploading " + images.size() + " images to "
                            + run.folder(spec).uri() + INSTANCES_FILE);
                    gcs.put(run.folder(spec), INSTANCES_FILE, Instances.jsonl(images), "application/jsonl");
                }
                BatchPredictionJob job;
                try (CtrlC ctrlC = new CtrlC()) {
                    job = runner.create(
                            BatchRequest.of(spec, run.id, model.name(), run.inputs(spec), run.outputPrefix(spec)));
                    progress.step("batch prediction job " + job.getName() + ": " + runner.consoleLink(job));
                    job = runner.follow(job, confirmCancel, progress);
                } catch (BatchRunner.LeftRunning e) {
                    jobRunsOn = true;
                    throw e;
                }
                GcsLocation outputDir = location(job.getOutputInfo().getGcsOutputDirectory());
                List<Prediction> predictions = spec.output() != null
                        ? List.of()
                        : spec.gcsInputs().isEmpty()
                                ? BatchOutputs.forImages(gcs, outputDir, images)
                                : BatchOutputs.all(gcs, outputDir);
                return new Result(
                        predictions,
                        job.getName(),
                        outputDir.uri(),
                        spec.output() != null,
                        Duration.ofNanos(System.nanoTime() - start));
            } finally {
                int deleted = jobRunsOn ? 0 : gcs.deleteAll(run.folder(spec));
                if (deleted > 0) {
                    progress.step("deleted " + deleted + " objects under "
                            + run.folder(spec).uri());
                }
            }
        } catch (MldevException e) {
            throw e;
        } catch (Exception e) {
            throw MldevException.remote("the batch prediction failed: " + e.getMessage(), null, e);
        } finally {
            if (!model.reused() && !jobRunsOn) {
                VertexModels.delete(cloud, model.name(), progress);
            }
        }
    }

    private static GcsLocation location(String uri) {
        String rest = uri.replaceFirst("^gs://", "");
        int slash = rest.indexOf('/');
        return slash < 0
                ? GcsLocation.of(rest, "")
                : GcsLocation.of(rest.substring(0, slash), rest.substring(slash + 1));
    }

    /** One run's id and its folder: gs://BUCKET/mldev/NAME/batch/ID/ holds its instances and, without --output, its outputs. */
    private static final class Run {
        final String id;

        Run(BatchSpec spec) {
            id = "mldev-" + spec.vertex().name() + "-batch-" + RUN_TIME.format(Instant.now()) + "-"
                    + UUID.randomUUID().toString().substring(0, 6);
        }

        GcsLocation folder(BatchSpec spec) {
            return GcsLocation.of(
                    spec.vertex().bucket(), "mldev/" + spec.vertex().name() + "/batch/" + id + "/");
        }

        List<String> inputs(BatchSpec spec) {
            return spec.gcsInputs().isEmpty() ? List.of(folder(spec).uri() + INSTANCES_FILE) : spec.gcsInputs();
        }

        String outputPrefix(BatchSpec spec) {
            return spec.output() != null ? spec.output() : folder(spec).uri() + "out/";
        }
    }
}
