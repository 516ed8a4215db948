package dev.mldev.deploy.cloudrun;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mldev.DeploymentState;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.TargetKind;
import dev.mldev.bundle.Bundle;
import dev.mldev.cloud.CloudContext;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.DeploymentStatus;
import dev.mldev.deploy.DeploymentStore;
import dev.mldev.deploy.PredictClient;
import dev.mldev.deploy.Target;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Cloud Run target: a GPU service with min 0 instances and a URL. Credentials are loaded per call, only when
 * Google Cloud is called ({@link #plan} calls nothing).
 */
public final class CloudRunTarget implements Target {
    public static final Duration DEFAULT_WAKE_TIMEOUT = Duration.ofMinutes(15);

    private final Environment env;
    private final DeploymentStore store;
    private final Duration wakeTimeout;
    private final Consumer<String> notice;

    public CloudRunTarget(Environment env, DeploymentStore store, Duration wakeTimeout, Consumer<String> notice) {
        this.env = env;
        this.store = store;
        this.wakeTimeout = wakeTimeout;
        this.notice = notice;
    }

    public CloudRunPlan plan(Path bundlePath, CloudRunSpec.Flags flags) {
        Bundle bundle = Bundle.openVerified(bundlePath);
        return CloudRunPlan.of(bundle, CloudRunSpec.check(flags, bundle.manifest()));
    }

    /** The checked spec alone (for the --public confirmation, before anything is uploaded). */
    public CloudRunSpec check(Path bundlePath, CloudRunSpec.Flags flags) {
        return CloudRunSpec.check(flags, Bundle.openVerified(bundlePath).manifest());
    }

    public CloudRunDeployer.Outcome deploy(Path bundlePath, CloudRunSpec.Flags flags, Progress progress) {
        Bundle bundle = Bundle.openVerified(bundlePath);
        CloudRunSpec spec = CloudRunSpec.check(flags, bundle.manifest());
        return new CloudRunDeployer(store)
                .deploy(CloudContext.connect(env, spec.project(), spec.region()), bundle, spec, progress);
    }

    @Override
    public List<Prediction> predict(
            DeploymentRecord deployment, List<Predictor.Input> images, int topK, Progress progress) {
        CloudRunDeployment.Location where = CloudRunDeployment.locate(deployment);
        if (where.url() == null || where.url().isBlank()) {
            throw MldevException.failure(
                    "deployment '" + where.name() + "' has no URL yet (its deploy did not finish)",
                    "run the same deploy again, or 'mldev undeploy " + where.name() + "'");
        }
        CloudContext cloud = CloudContext.connect(env, where.project(), where.region());
        var idToken = where.publicAccess() ? null : CloudRunPredictor.idTokens(cloud.credentials(), where.url());
        CloudRunPredictor.Result result = CloudRunPredictor.connect(
                        new PredictClient(cloud.endpoints().httpClient()), idToken)
                .predict(where.url(), images, topK, wakeTimeout, progress);
        notice.accept(result.predictions().size() + " predictions in "
                + String.format(Locale.ROOT, "%.1f s", result.total().toMillis() / 1000.0)
                + " (a cold start from zero included, if there was one)");
        return result.predictions();
    }

    @Override
    public DeploymentStatus status(DeploymentRecord deployment) {
        CloudRunDeployment.Location where = CloudRunDeployment.locate(deployment);
        CloudContext cloud = CloudContext.connect(env, where.project(), where.region());
        Optional<JsonNode> service = new CloudRunApi(cloud, CloudRunApi.Polling.STANDARD).findService(where.service());
        DeploymentState state = service.isEmpty() || !CloudRunDeployer.ready(service.get())
                ? DeploymentState.DOWN
                : DeploymentState.ZERO;
        return new DeploymentStatus(where.name(), TargetKind.CLOUD_RUN, where.url(), state, null, -1);
    }

    @Override
    public void undeploy(DeploymentRecord deployment, boolean purge, Progress progress) {
        CloudRunDeployment.Location where = CloudRunDeployment.locate(deployment);
        CloudContext cloud = CloudContext.connect(env, where.project(), where.region());
        new CloudRunUndeployer(store).undeploy(cloud, where, purge, progress).forEach(progress::step);
    }
}
