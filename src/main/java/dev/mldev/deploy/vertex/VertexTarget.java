package dev.mldev.deploy.vertex;

import com.google.cloud.aiplatform.v1beta1.Endpoint;
import dev.mldev.DeploymentState;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.TargetKind;
import dev.mldev.bundle.Bundle;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cost.Forecast;
import dev.mldev.cost.PriceTables;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.DeploymentStatus;
import dev.mldev.deploy.DeploymentStore;
import dev.mldev.deploy.Target;
import dev.mldev.runtime.ImageResult;
import dev.mldev.runtime.PendingImage;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The Vertex AI target: a dedicated endpoint whose model scales to zero. Credentials and clients are made
 * per call, only when Google Cloud is actually called ({@link #plan} calls nothing).
 */
public final class VertexTarget implements Target {
    public static final Duration DEFAULT_WAKE_TIMEOUT = Duration.ofMinutes(15);
    /** Requests a streamed predict keeps under way once the endpoint is awake: each may be up to 10 MB. */
    static final int IN_FLIGHT = 4;

    private final Environment env;
    private final DeploymentStore store;
    private final Duration wakeTimeout;
    private final Consumer<String> notice;

    /** @param notice one-line messages for stderr (wake and total times, status lookups that failed) */
    public VertexTarget(Environment env, DeploymentStore store, Duration wakeTimeout, Consumer<String> notice) {
        this.env = env;
        this.store = store;
        this.wakeTimeout = wakeTimeout;
        this.notice = notice;
    }

    /** A --dry-run: the image, the calls a deploy would make and the forecast; calls nothing. */
    public DryRun.Endpoint dryRun(DryRun.Request request) {
        DryRun.ServingImage image = DryRun.image(
                request, Bundle.open(request.bundle(), env.cacheDir()).manifest());
        DeployPlan plan =
                DryRun.withEveryProblem(request, () -> plan(request.bundle(), request.flagsWith(image.ref())));
        Forecast forecast =
                VertexForecast.endpoint(PriceTables.load(env, request.prices()), plan.spec(), DryRun.requests(request));
        return new DryRun.Endpoint(plan, image, forecast);
    }

    /** The calls a deploy would make, checked like a real deploy but without calling anything. */
    public DeployPlan plan(Path bundlePath, VertexSpec.Flags flags) {
        Bundle bundle = Bundle.openVerified(bundlePath);
        return DeployPlan.of(bundle, VertexSpec.check(flags, bundle.manifest()));
    }

    public VertexDeployer.Outcome deploy(Path bundlePath, VertexSpec.Flags flags, Progress progress) {
        Bundle bundle = Bundle.openVerified(bundlePath);
        VertexSpec spec = VertexSpec.check(flags, bundle.manifest());
        CloudContext cloud = CloudContext.connect(env, spec.project(), spec.region());
        return new VertexDeployer(store).deploy(cloud, bundle, spec, progress);
    }

    @Override
    public List<Prediction> predict(
            DeploymentRecord deployment, List<Predictor.Input> images, int topK, Progress progress) {
        VertexDeployment.Location where = located(deployment);
        CloudContext cloud = CloudContext.connect(env, where.project(), where.region());
        VertexPredictor.Result result =
                VertexPredictor.connect(cloud, notice).predict(where.predictUrl(), images, topK, wakeTimeout, progress);
        notice.accept(timing(result.predictions().size(), result.total(), result.wake()));
        return result.predictions();
    }

    /** Streams the images through the endpoint with a few requests in flight, the first alone to wake it. */
    @Override
    public void predictEach(
            DeploymentRecord deployment,
            Iterator<PendingImage> images,
            int topK,
            Progress progress,
            Consumer<ImageResult> results) {
        VertexDeployment.Location where = located(deployment);
        CloudContext cloud = CloudContext.connect(env, where.project(), where.region());
        VertexPredictor.Streamed streamed = VertexPredictor.connect(cloud, notice)
                .predictEach(where.predictUrl(), images, topK, wakeTimeout, IN_FLIGHT, progress, results);
        notice.accept(timing(streamed.predictions(), streamed.total(), streamed.wake()));
    }

    private static VertexDeployment.Location located(DeploymentRecord deployment) {
        VertexDeployment.Location where = VertexDeployment.locate(deployment);
        if (!VertexDeployment.hasHost(where.predictUrl())) {
            throw MldevException.failure(
                    "deployment '" + where.name() + "' has no endpoint address yet (its deploy did not finish,"
                            + " or Vertex AI had not yet given the endpoint its DNS name)",
                    "run the same deploy again: it reads the endpoint's address and records it; or 'mldev undeploy "
                            + where.name() + "'");
        }
        return where;
    }

    private static String timing(int predictions, Duration total, Duration wake) {
        return predictions + " predictions in " + seconds(total)
                + (wake.isZero() ? "" : ", " + seconds(wake) + " of it waking the endpoint from zero");
    }

    @Override
    public DeploymentStatus status(DeploymentRecord deployment) {
        VertexDeployment.Location where = VertexDeployment.locate(deployment);
        DeploymentState state;
        CloudContext cloud = CloudContext.connect(env, where.project(), where.region());
        try (VertexClients vertex = VertexClients.open(cloud, VertexClients.Polling.STANDARD)) {
            List<Endpoint> endpoints = vertex.listEndpoints(VertexResources.labelFilter(where.name()));
            int replicas = endpoints.stream()
                    .flatMap(e -> e.getDeployedModelsList().stream())
                    .mapToInt(d -> d.getStatus().getAvailableReplicaCount())
                    .sum();
            boolean deployed = endpoints.stream().anyMatch(e -> e.getDeployedModelsCount() > 0);
            state = !deployed ? DeploymentState.DOWN : replicas == 0 ? DeploymentState.ZERO : DeploymentState.WARM;
        }
        return new DeploymentStatus(where.name(), TargetKind.VERTEX, where.predictUrl(), state, null, -1);
    }

    @Override
    public void undeploy(DeploymentRecord deployment, boolean purge, Progress progress) {
        VertexDeployment.Location where = VertexDeployment.locate(deployment);
        CloudContext cloud = CloudContext.connect(env, where.project(), where.region());
        new VertexUndeployer(store).undeploy(cloud, where, purge, progress).forEach(progress::step);
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
