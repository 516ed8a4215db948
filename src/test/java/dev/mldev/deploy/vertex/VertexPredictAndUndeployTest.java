package dev.mldev.deploy.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.bundle.Bundle;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.Retry;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.fake.Faults;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import dev.mldev.runtime.SessionFactory;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.DeploymentStore;
import dev.mldev.deploy.PredictClient;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.RecordingProgress;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** predict through a wake from zero (answers from the real classifier) and undeploy, against the fake. */
class VertexPredictAndUndeployTest {
    @TempDir
    static Path home;
    static FakeGoogleCloud cloud;
    static ModelContainer container;
    static Bundle bundle;
    static List<Predictor.Input> images;
    DeploymentStore store;
    CloudContext context;
    VertexDeployment deployment;

    @BeforeAll
    static void startCloudAndContainer() throws Exception {
        CliRun packaged = CliRun.run(home, "package", TestModels.file(TestModels.CLS).toString(), "--preset", "ppocr-cls",
                "--out", home.resolve("cls").toString());
        assertThat(packaged.exitCode).as(packaged.toString()).isZero();
        bundle = Bundle.openVerified(home.resolve("cls"));
        cloud = new FakeGoogleCloud();
        container = new ModelContainer(bundle, home);
        cloud.prediction().setContainer(container.url());
        var upright = TextImages.line("Scale to zero");
        images = List.of(new Predictor.Input("upright.png", TextImages.encode(upright, "png")),
                new Predictor.Input("upside-down.png", TextImages.encode(TextImages.rotated180(upright), "png")));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        container.close();
        cloud.close();
    }

    @BeforeEach
    void deploy() {
        cloud.faults().clear();
        cloud.storage().createBucket("mldev-test-bucket");
        Environment env = new Environment(cloud.environment(home), home);
        store = new DeploymentStore(env.stateDir());
        context = CloudContext.connect(env, FakeGoogleCloud.PROJECT, FakeGoogleCloud.REGION)
                .withRetry(new Retry(FakeGoogleCloud.PROJECT, 3, Duration.ofMillis(10), Duration.ofMillis(40)));
        VertexSpec spec = VertexSpec.check(new VertexSpec.Flags("cls", FakeGoogleCloud.PROJECT, FakeGoogleCloud.REGION,
                "mldev-test-bucket", null, null, null, null, null, "15m", null, TestBundle.IMAGE), bundle.manifest());
        deployment = new VertexDeployer(store, VertexDeployerTest.FAST).deploy(context, bundle, spec, Progress.NONE).deployment();
    }

    VertexPredictor predictor() {
        return new VertexPredictor(new PredictClient(context.endpoints().httpClient()), context::accessToken, Duration.ofMillis(100));
    }

    @Test
    void predictsThroughAWakeFromZeroWithTheRealModelsAnswers() {
        cloud.vertex().scaleToZero(deployment.endpoint());
        cloud.prediction().setScaleUpDelay(Duration.ofMillis(1500));
        int notReadyBefore = cloud.prediction().notReadyAnswers();
        List<String> shown = new CopyOnWriteArrayList<>();
        Progress progress = new RecordingProgress(shown);

        VertexPredictor.Result result = predictor().predict(deployment.predictUrl(), images, 0, Duration.ofMinutes(1), progress);

        List<Prediction> local;
        try (Predictor predictor = new Predictor(bundle, new SessionFactory(new Environment(Map.of(), home), m -> { }, false)
                .open(bundle.modelPath(), Device.CPU), false)) {
            local = predictor.predict(images, 0);
        }
        assertThat(result.predictions()).extracting(Prediction::image).containsExactly("upright.png", "upside-down.png");
        assertThat(result.predictions()).extracting(Prediction::label).containsExactly("0", "180")
                .isEqualTo(local.stream().map(Prediction::label).toList());
        assertThat(result.predictions().get(0).score()).isEqualTo(local.get(0).score());
        assertThat(result.wake()).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        assertThat(result.total()).isGreaterThanOrEqualTo(result.wake());
        assertThat(cloud.prediction().notReadyAnswers()).isGreaterThan(notReadyBefore);
        assertThat(shown).anyMatch(line -> line.matches("waking endpoint from zero \\(\\d+ s\\)"));
        assertThat(cloud.vertex().replicas(deployment.deployedModelId())).isEqualTo(1);

        VertexPredictor.Result warm = predictor().predict(deployment.predictUrl(), images, 0, Duration.ofMinutes(1), Progress.NONE);
        assertThat(warm.wake()).isZero();
    }

    @Test
    void givesUpWhenTheEndpointDoesNotWakeInTime() {
        cloud.vertex().scaleToZero(deployment.endpoint());
        cloud.prediction().setScaleUpDelay(Duration.ofMinutes(10));
        assertThatThrownBy(() -> predictor().predict(deployment.predictUrl(), images, 0, Duration.ofMillis(700), Progress.NONE))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining("did not wake from zero within");
        cloud.prediction().setScaleUpDelay(Duration.ZERO);
    }

    @Test
    void aRefusedPredictionNamesThePermission() {
        cloud.faults().failOnce("predict", Faults.permissionDenied("aiplatform.endpoints.predict", deployment.endpoint()));
        assertThatThrownBy(() -> predictor().predict(deployment.predictUrl(), images, 0, Duration.ofMinutes(1), Progress.NONE))
                .hasMessageContaining("aiplatform.endpoints.predict")
                .satisfies(e -> assertThat(((MldevException) e).hint()).contains("roles/aiplatform.user"));
    }

    @Test
    void undeployRemovesEverythingThatBillsAndPurgeTheRest() {
        var where = VertexDeployment.locate(store.find("cls").orElseThrow());
        List<String> removed = new VertexUndeployer(store, VertexDeployerTest.FAST).undeploy(context, where, false, Progress.NONE);

        assertThat(removed).anyMatch(l -> l.startsWith("undeployed model")).anyMatch(l -> l.startsWith("deleted endpoint"));
        assertThat(cloud.vertex().endpoints()).isEmpty();
        assertThat(cloud.vertex().models()).as("kept without --purge").isNotEmpty();
        assertThat(cloud.storage().objects("mldev-test-bucket")).isNotEmpty();
        assertThat(store.find("cls")).isEmpty();

        new VertexUndeployer(store, VertexDeployerTest.FAST).undeploy(context, where, true, Progress.NONE);
        assertThat(cloud.vertex().models()).isEmpty();
        assertThat(cloud.storage().objects("mldev-test-bucket")).isEmpty();
    }

    @Test
    void undeployFindsWhatAnInterruptedDeployLeftByItsLabels() {
        DeploymentRecord full = store.find("cls").orElseThrow();
        store.save(new DeploymentRecord("cls", "vertex", full.bundle(), full.version(), null, full.createdAt(),
                Map.of("project", FakeGoogleCloud.PROJECT, "region", FakeGoogleCloud.REGION, "bucket", "mldev-test-bucket",
                        "state", "deploying")));

        new VertexUndeployer(store, VertexDeployerTest.FAST).undeploy(context, VertexDeployment.locate(store.find("cls").orElseThrow()),
                true, Progress.NONE);

        assertThat(cloud.vertex().endpoints()).isEmpty();
        assertThat(cloud.vertex().models()).isEmpty();
    }
}
