package dev.mldev.deploy.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.aiplatform.v1beta1.PipelineJob;
import com.google.cloud.storage.Storage;
import dev.mldev.DeploymentState;
import dev.mldev.Environment;
import dev.mldev.Failures;
import dev.mldev.Json;
import dev.mldev.Labels;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.TargetKind;
import dev.mldev.bundle.Bundle;
import dev.mldev.bundle.Manifest;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.GcsLocation;
import dev.mldev.cloud.GcsTransfer;
import dev.mldev.cloud.StorageClients;
import dev.mldev.cost.Forecast;
import dev.mldev.cost.PriceTables;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.DeploymentStatus;
import dev.mldev.deploy.DeploymentStore;
import dev.mldev.deploy.PredictClient;
import dev.mldev.deploy.Target;
import dev.mldev.deploy.vertex.DryRun;
import dev.mldev.deploy.vertex.VertexForecast;
import dev.mldev.deploy.vertex.VertexSpec;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The vertex-pipeline target, the original recipe: nothing runs between predictions; each predict is one
 * Vertex AI Pipelines run on a GPU that reads the inputs from Cloud Storage and writes the answers back.
 */
public final class PipelineTarget implements Target {
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final DateTimeFormatter RUN_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    static final String SPEC_FILE = "pipeline.json";

    private final Environment env;
    private final DeploymentStore store;
    private final Consumer<String> notice;
    private final Predicate<String> confirmCancel;
    private final Duration pollInterval;
    private final String sdkVersion;

    /** @param confirmCancel asked on Ctrl-C whether to cancel the run (a TTY asks the user; elsewhere: yes) */
    public PipelineTarget(
            Environment env,
            DeploymentStore store,
            Consumer<String> notice,
            Predicate<String> confirmCancel,
            String sdkVersion) {
        this(env, store, notice, confirmCancel, sdkVersion, Duration.ofSeconds(5));
    }

    PipelineTarget(
            Environment env,
            DeploymentStore store,
            Consumer<String> notice,
            Predicate<String> confirmCancel,
            String sdkVersion,
            Duration pollInterval) {
        this.env = env;
        this.store = store;
        this.notice = notice;
        this.confirmCancel = confirmCancel;
        this.sdkVersion = sdkVersion;
        this.pollInterval = pollInterval;
    }

    /** A --dry-run: the image, what deploy would do (with the compiled spec) and the forecast; calls nothing. */
    public DryRun.Pipeline dryRun(DryRun.Request request) {
        Manifest manifest = Bundle.open(request.bundle(), env.cacheDir()).manifest();
        DryRun.ServingImage image = DryRun.image(request, manifest);
        VertexSpec.Flags flags = request.flagsWith(image.ref());
        ObjectNode plan = DryRun.withEveryProblem(request, () -> plan(request.bundle(), flags));
        Forecast forecast = VertexForecast.pipeline(
                PriceTables.load(env, request.prices()), VertexSpec.check(flags, manifest), DryRun.requests(request));
        return new DryRun.Pipeline(plan, image, forecast);
    }

    /** What deploy would do, with the full compiled spec under "pipeline_spec"; calls nothing. */
    public ObjectNode plan(Path bundlePath, VertexSpec.Flags flags) {
        Bundle bundle = Bundle.openVerified(bundlePath);
        PipelineSpec spec = PipelineSpec.check(flags, bundle.manifest());
        GcsLocation folder = bundleFolder(spec, bundle);
        ObjectNode plan = JSON.createObjectNode();
        plan.put(
                "plan",
                "deploy " + bundle.manifest().name() + " " + bundle.manifest().version() + " as vertex-pipeline '"
                        + spec.name() + "' (dry run: nothing is called)");
        plan.putArray("calls")
                .add("storage upload " + bundle.files().size() + " files to " + folder.uri())
                .add("storage upload " + folder.uri() + SPEC_FILE)
                .add("each predict: PipelineService.CreatePipelineJob running as " + runsAs(flags.serviceAccount()));
        plan.put("service_account", flags.serviceAccount());
        plan.set("pipeline_spec", PipelineSpecCompiler.compile(spec, folder.uri(), sdkVersion));
        return plan;
    }

    /** Who a run runs as ({@code flags.serviceAccount()} was checked with the rest of the flags). */
    private static String runsAs(String serviceAccount) {
        return serviceAccount == null
                ? "the Compute Engine default service account (pass --service-account to choose one)"
                : "service account " + serviceAccount;
    }

    /** Uploads the bundle and the compiled spec, and records the deployment. Nothing runs until a predict. */
    public DeploymentRecord deploy(Path bundlePath, VertexSpec.Flags flags, Progress progress) {
        Bundle bundle = Bundle.openVerified(bundlePath);
        PipelineSpec spec = PipelineSpec.check(flags, bundle.manifest());
        CloudContext cloud = CloudContext.connect(env, spec.project(), spec.region());
        GcsLocation folder = bundleFolder(spec, bundle);
        String specJson =
                PipelineSpecCompiler.compile(spec, folder.uri(), sdkVersion).toPrettyString();
        Failures.wrapping(
                () -> {
                    try (Storage storage = StorageClients.create(cloud)) {
                        GcsTransfer gcs = new GcsTransfer(storage, cloud.retry());
                        progress.step("uploading bundle to " + folder.uri());
                        gcs.upload(bundle.dir(), bundle.files(), folder, progress);
                        gcs.put(folder, SPEC_FILE, specJson.getBytes(StandardCharsets.UTF_8), "application/json");
                    }
                },
                e -> MldevException.remote("uploading to " + folder.uri() + " failed: " + e.getMessage(), null, e));
        PipelineDeployment deployment = new PipelineDeployment(
                spec.name(),
                bundle.dir().toAbsolutePath().toString(),
                bundle.manifest().version(),
                spec.project(),
                spec.region(),
                spec.bucket(),
                folder.uri(),
                folder.uri() + SPEC_FILE,
                spec.image(),
                spec.machineType(),
                spec.gpu().map(g -> g.gcloudName()).orElse("none"),
                spec.gpuCount(),
                flags.serviceAccount(),
                Instant.now());
        DeploymentRecord record = deployment.toRecord();
        store.save(record);
        writeLocalSpec(spec.name(), specJson);
        return record;
    }

    @Override
    public List<Prediction> predict(
            DeploymentRecord record, List<Predictor.Input> images, int topK, Progress progress) {
        PipelineDeployment deployment = PipelineDeployment.from(record);
        String specJson = readLocalSpec(deployment.name());
        CloudContext cloud = CloudContext.connect(env, deployment.project(), deployment.region());
        String runId = "mldev-" + deployment.name() + "-" + RUN_TIME.format(Instant.now()) + "-"
                + UUID.randomUUID().toString().substring(0, 6);
        GcsLocation run = GcsLocation.of(deployment.bucket(), "mldev/" + deployment.name() + "/runs/" + runId + "/");
        return Failures.wrapping(
                () -> {
                    try (Storage storage = StorageClients.create(cloud);
                            PipelineRunner runner = new PipelineRunner(cloud, pollInterval)) {
                        GcsTransfer gcs = new GcsTransfer(storage, cloud.retry());
                        progress.step("uploading " + images.size() + " inputs to " + run.uri() + "in/");
                        for (int i = 0; i < images.size(); i++) {
                            gcs.put(
                                    run.child("in"),
                                    inputName(i, images.get(i).name()),
                                    images.get(i).bytes(),
                                    "application/octet-stream");
                        }
                        PipelineJob job = runner.create(
                                runId,
                                runId,
                                specJson,
                                Map.of(
                                        PipelineSpecCompiler.INPUT_DIR, PipelineSpecCompiler.mounted(run.uri() + "in"),
                                        PipelineSpecCompiler.OUTPUT_FILE,
                                                PipelineSpecCompiler.mounted(run.uri() + "out/predictions.json")),
                                run.uri() + "root",
                                Labels.of(deployment.name()),
                                deployment.serviceAccount());
                        progress.step("pipeline run " + runId + ": " + runner.consoleLink(job));
                        Thread caller = Thread.currentThread();
                        Thread onCtrlC = new Thread(() -> {
                            caller.interrupt();
                            try {
                                caller.join(Duration.ofMinutes(1).toMillis());
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
                        Runtime.getRuntime().addShutdownHook(onCtrlC);
                        PipelineRunner.Finished finished;
                        try {
                            finished = runner.follow(job, deployment.gpuCount(), confirmCancel, progress);
                        } finally {
                            removeHook(onCtrlC);
                        }
                        notice.accept("pipeline run " + runId + ": wall time " + PipelineRunner.format(finished.wall())
                                + ", GPU time billed " + PipelineRunner.format(finished.gpuBilled()) + " ("
                                + deployment.gpuCount() + " x " + deployment.gpu() + ")");
                        return parse(gcs.read(run.child("out"), "predictions.json"), images);
                    }
                },
                e -> MldevException.remote("the pipeline run failed: " + e.getMessage(), null, e));
    }

    @Override
    public DeploymentStatus status(DeploymentRecord record) {
        return new DeploymentStatus(
                record.name(),
                TargetKind.VERTEX_PIPELINE,
                PipelineDeployment.from(record).specUri(),
                DeploymentState.ZERO,
                null,
                -1); // nothing runs between runs
    }

    /** Nothing runs or bills between runs: forgets the deployment; purge also deletes its bundle and runs. */
    @Override
    public void undeploy(DeploymentRecord record, boolean purge, Progress progress) {
        PipelineDeployment deployment = PipelineDeployment.from(record);
        if (purge) {
            CloudContext cloud = CloudContext.connect(env, deployment.project(), deployment.region());
            GcsLocation all = GcsLocation.of(deployment.bucket(), "mldev/" + deployment.name() + "/");
            Failures.wrapping(
                    () -> {
                        try (Storage storage = StorageClients.create(cloud)) {
                            progress.step("deleted " + new GcsTransfer(storage, cloud.retry()).deleteAll(all)
                                    + " objects under " + all.uri());
                        }
                    },
                    e -> MldevException.remote("deleting " + all.uri() + " failed: " + e.getMessage(), null, e));
        }
        store.remove(record.name());
    }

    private static GcsLocation bundleFolder(PipelineSpec spec, Bundle bundle) {
        String version = bundle.manifest().version().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        return GcsLocation.of(spec.bucket(), "mldev/" + spec.name() + "/" + version + "/");
    }

    /** Numbered so the component's glob reads them in the order given. */
    static String inputName(int index, String path) {
        String base = Path.of(path).getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        return String.format(Locale.ROOT, "%04d-%s", index, base);
    }

    private static List<Prediction> parse(byte[] results, List<Predictor.Input> images) {
        try {
            JsonNode array = JSON.readTree(results);
            if (!array.isArray() || array.size() != images.size()) {
                throw MldevException.remote(
                        "the pipeline wrote " + array.size() + " results for " + images.size() + " images",
                        "check the run's logs in the console",
                        null);
            }
            return PredictClient.named(array, images);
        } catch (IOException e) {
            throw MldevException.remote(
                    "the pipeline's results are not mldev's prediction JSON: " + e.getMessage(), null, e);
        }
    }

    private void writeLocalSpec(String name, String specJson) {
        try {
            Files.createDirectories(store.workDir(name));
            Files.writeString(store.workDir(name).resolve(SPEC_FILE), specJson);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String readLocalSpec(String name) {
        try {
            return Files.readString(store.workDir(name).resolve(SPEC_FILE));
        } catch (IOException e) {
            throw MldevException.failure(
                    "the pipeline spec of '" + name + "' is missing",
                    "deploy it again with 'mldev deploy BUNDLE --target vertex-pipeline --name " + name + "'");
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting (Ctrl-C): the hook has run
        }
    }
}
