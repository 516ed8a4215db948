package dev.mldev.deploy.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.Code;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.TargetKind;
import dev.mldev.bundle.Bundle;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.Retry;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.DeploymentStore;
import dev.mldev.deploy.PredictClient;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.fake.Faults;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import dev.mldev.runtime.SessionFactory;
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
        CliRun packaged = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.CLS).toString(),
                "--preset",
                "ppocr-cls",
                "--out",
                home.resolve("cls").toString());
        assertThat(packaged.exitCode).as(packaged.toString()).isZero();
        bundle = Bundle.openVerified(home.resolve("cls"));
        cloud = new FakeGoogleCloud();
        container = new ModelContainer(bundle, home);
        cloud.prediction().setContainer(container.url());
        var upright = TextImages.line("Scale to zero");
        images = List.of(
                new Predictor.Input("upright.png", TextImages.encode(upright, "png")),
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
        notices.clear();
        cloud.storage().createBucket("mldev-test-bucket");
        Environment env = new Environment(cloud.environment(home), home);
        store = new DeploymentStore(env.stateDir());
        context = CloudContext.connect(env, FakeGoogleCloud.PROJECT, FakeGoogleCloud.REGION)
                .withRetry(new Retry(FakeGoogleCloud.PROJECT, 3, Duration.ofMillis(10), Duration.ofMillis(40)));
        VertexSpec spec = VertexSpec.check(
                new VertexSpec.Flags(
                        "cls",
                        FakeGoogleCloud.PROJECT,
                        FakeGoogleCloud.REGION,
                        "mldev-test-bucket",
                        null,
                        null,
                        null,
                        null,
                        null,
                        "15m",
                        null,
                        TestBundle.IMAGE,
                        null),
                bundle.manifest());
        deployment = new VertexDeployer(store, VertexDeployerTest.FAST)
                .deploy(context, bundle, spec, Progress.NONE)
                .deployment();
    }

    final List<String> notices = new CopyOnWriteArrayList<>();

    VertexPredictor predictor() {
        return predictor(PredictRequests.DEDICATED_ENDPOINT_LIMIT);
    }

    VertexPredictor predictor(long requestLimit) {
        return new VertexPredictor(
                new PredictClient(context.endpoints().httpClient()),
                context::accessToken,
                Duration.ofMillis(100),
                requestLimit,
                notices::add);
    }

    @Test
    void aRecordedDnsNameIsNeverEmpty() {
        assertThat(deployment.endpointDns())
                .as("read again until Vertex set it")
                .isNotBlank();
        assertThat(store.find("cls").orElseThrow().url()).startsWith("https://127.0.0.1:");
    }

    @Test
    void aRecordWithoutHostIsOneClearFailureNotACrash() {
        DeploymentRecord full = store.find("cls").orElseThrow();
        DeploymentRecord hostless = new DeploymentRecord(
                "cls",
                TargetKind.VERTEX,
                full.bundle(),
                full.version(),
                "https:///v1beta1/" + deployment.endpoint() + ":predict",
                full.createdAt(),
                full.details());
        VertexTarget target = new VertexTarget(
                new Environment(cloud.environment(home), home), store, Duration.ofMinutes(1), notices::add);

        assertThatThrownBy(() -> target.predict(hostless, images, 0, Progress.NONE))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining("has no endpoint address")
                .satisfies(e -> assertThat(((MldevException) e).hint()).contains("run the same deploy again"));
    }

    @Test
    void wakesThroughColdStart503And504UntilTheWakeTimeout() {
        cloud.vertex().scaleToZero(deployment.endpoint());
        cloud.prediction().setScaleUpDelay(Duration.ofMillis(1500));
        cloud.prediction().setColdStartCodes(Code.RESOURCE_EXHAUSTED, Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED);
        int before = cloud.prediction().notReadyAnswers();
        try {
            VertexPredictor.Result result =
                    predictor().predict(deployment.predictUrl(), images, 0, Duration.ofMinutes(1), Progress.NONE);

            assertThat(result.predictions()).extracting(Prediction::label).containsExactly("0", "180");
            assertThat(cloud.prediction().notReadyAnswers() - before)
                    .as("more 5xx answers than the old 4 tries")
                    .isGreaterThan(4);
            assertThat(result.wake()).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        } finally {
            cloud.prediction().setColdStartCodes(Code.RESOURCE_EXHAUSTED);
        }
    }

    @Test
    void aQuota429StopsAtOnceNamingTheQuota() {
        cloud.faults()
                .failAlways(
                        "predict",
                        Faults.quotaExceeded(
                                "aiplatform.googleapis.com/online_prediction_requests_per_base_model",
                                "OnlinePredictionRequestsPerMinutePerProjectPerRegion",
                                FakeGoogleCloud.PROJECT));
        long start = System.nanoTime();

        assertThatThrownBy(() ->
                        predictor().predict(deployment.predictUrl(), images, 0, Duration.ofSeconds(20), Progress.NONE))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining(
                        "quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model")
                .satisfies(e -> assertThat(((MldevException) e).hint())
                        .contains("https://console.cloud.google.com/iam-admin/quotas?project="
                                + FakeGoogleCloud.PROJECT));
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("no waiting on a quota")
                .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void imagesOverTheRequestLimitGoInSeveralRequestsInOrder() {
        // two incompressible PNGs of about 6 MB each: 16 MB of base64 together, over the endpoint's 10 MB
        List<Predictor.Input> large = List.of(
                new Predictor.Input("noise-1.png", noisePng(1)),
                new Predictor.Input("noise-2.png", noisePng(2)),
                images.get(1));

        VertexPredictor.Result result =
                predictor().predict(deployment.predictUrl(), large, 0, Duration.ofMinutes(1), Progress.NONE);

        assertThat(result.requests()).isEqualTo(2);
        assertThat(result.predictions())
                .extracting(Prediction::image)
                .containsExactly("noise-1.png", "noise-2.png", "upside-down.png");
        assertThat(result.predictions().get(2).label()).isEqualTo("180");
        assertThat(notices)
                .containsExactly(
                        "sending the 3 images in 2 requests, in order: a dedicated endpoint takes at most 10.0 MB"
                                + " per request");
    }

    @Test
    void theFakeRefusesABodyOverTenMegabytesAsTheEndpointDoes() {
        List<Predictor.Input> large = List.of(
                new Predictor.Input("noise-1.png", noisePng(1)), new Predictor.Input("noise-2.png", noisePng(2)));

        assertThatThrownBy(() -> predictor(Long.MAX_VALUE)
                        .predict(deployment.predictUrl(), large, 0, Duration.ofMinutes(1), Progress.NONE))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining("refused the request as too large (HTTP 400)")
                .hasMessageContaining("Request payload size exceeds the limit");
    }

    static byte[] noisePng(long seed) {
        java.util.Random random = new java.util.Random(seed);
        java.awt.image.BufferedImage image =
                new java.awt.image.BufferedImage(1450, 1450, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, random.nextInt());
            }
        }
        return TextImages.encode(image, "png");
    }

    @Test
    void predictsThroughAWakeFromZeroWithTheRealModelsAnswers() {
        cloud.vertex().scaleToZero(deployment.endpoint());
        cloud.prediction().setScaleUpDelay(Duration.ofMillis(1500));
        int notReadyBefore = cloud.prediction().notReadyAnswers();
        List<String> shown = new CopyOnWriteArrayList<>();
        Progress progress = new RecordingProgress(shown);

        VertexPredictor.Result result =
                predictor().predict(deployment.predictUrl(), images, 0, Duration.ofMinutes(1), progress);

        List<Prediction> local;
        try (Predictor predictor = new Predictor(
                bundle,
                new SessionFactory(new Environment(Map.of(), home), m -> {}, false)
                        .open(bundle.modelPath(), Device.CPU),
                false)) {
            local = predictor.predict(images, 0);
        }
        assertThat(result.predictions())
                .extracting(Prediction::image)
                .containsExactly("upright.png", "upside-down.png");
        assertThat(result.predictions())
                .extracting(Prediction::label)
                .containsExactly("0", "180")
                .isEqualTo(local.stream().map(Prediction::label).toList());
        assertThat(result.predictions().get(0).score()).isEqualTo(local.get(0).score());
        assertThat(result.wake()).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        assertThat(result.total()).isGreaterThanOrEqualTo(result.wake());
        assertThat(cloud.prediction().notReadyAnswers()).isGreaterThan(notReadyBefore);
        assertThat(shown).anyMatch(line -> line.matches("waking endpoint from zero \\(\\d+ s\\)"));
        assertThat(cloud.vertex().replicas(deployment.deployedModelId())).isEqualTo(1);

        VertexPredictor.Result warm =
                predictor().predict(deployment.predictUrl(), images, 0, Duration.ofMinutes(1), Progress.NONE);
        assertThat(warm.wake()).isZero();
    }

    @Test
    void givesUpWhenTheEndpointDoesNotWakeInTime() {
        cloud.vertex().scaleToZero(deployment.endpoint());
        cloud.prediction().setScaleUpDelay(Duration.ofMinutes(10));
        assertThatThrownBy(() ->
                        predictor().predict(deployment.predictUrl(), images, 0, Duration.ofMillis(700), Progress.NONE))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining("did not wake from zero within");
        cloud.prediction().setScaleUpDelay(Duration.ZERO);
    }

    @Test
    void aRefusedPredictionNamesThePermission() {
        cloud.faults()
                .failOnce("predict", Faults.permissionDenied("aiplatform.endpoints.predict", deployment.endpoint()));
        assertThatThrownBy(() ->
                        predictor().predict(deployment.predictUrl(), images, 0, Duration.ofMinutes(1), Progress.NONE))
                .hasMessageContaining("aiplatform.endpoints.predict")
                .satisfies(e -> assertThat(((MldevException) e).hint()).contains("roles/aiplatform.user"));
    }

    @Test
    void undeployRemovesEverythingThatBillsAndPurgeTheRest() {
        var where = VertexDeployment.locate(store.find("cls").orElseThrow());
        List<String> removed =
                new VertexUndeployer(store, VertexDeployerTest.FAST).undeploy(context, where, false, Progress.NONE);

        assertThat(removed)
                .anyMatch(l -> l.startsWith("undeployed model"))
                .anyMatch(l -> l.startsWith("deleted endpoint"));
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
        store.save(new DeploymentRecord(
                "cls",
                TargetKind.VERTEX,
                full.bundle(),
                full.version(),
                null,
                full.createdAt(),
                Map.of(
                        "project",
                        FakeGoogleCloud.PROJECT,
                        "region",
                        FakeGoogleCloud.REGION,
                        "bucket",
                        "mldev-test-bucket",
                        "state",
                        "deploying")));

        new VertexUndeployer(store, VertexDeployerTest.FAST)
                .undeploy(context, VertexDeployment.locate(store.find("cls").orElseThrow()), true, Progress.NONE);

        assertThat(cloud.vertex().endpoints()).isEmpty();
        assertThat(cloud.vertex().models()).isEmpty();
    }
}
