package dev.mldev.deploy.vertex;

import static java.nio.charset.StandardCharsets.UTF_8;
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
import dev.mldev.runtime.ImageResult;
import dev.mldev.runtime.PendingImage;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import dev.mldev.runtime.SessionFactory;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.RecordingProgress;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
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

    /** {@code count} images, upright and upside down in turn, named img-00..; each read counted in {@code reads}. */
    static List<PendingImage> counted(int count, AtomicInteger reads) {
        List<PendingImage> pending = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Predictor.Input image = images.get(i % 2);
            pending.add(new PendingImage(String.format("img-%02d", i), () -> {
                reads.incrementAndGet();
                return image.bytes();
            }));
        }
        return pending;
    }

    /** A request limit that holds one of the test images but not two. */
    static long oneImagePerRequest() {
        return 2L * Math.max(images.get(0).bytes().length, images.get(1).bytes().length);
    }

    @Test
    void aStreamKeepsInputOrderAcrossRequestsWithAtMostFourInFlight() {
        AtomicInteger reads = new AtomicInteger();
        List<ImageResult> results = new ArrayList<>();
        List<Integer> readAhead = new ArrayList<>();
        cloud.prediction().setAnswerDelay(Duration.ofMillis(200));
        cloud.prediction().mostConcurrentPredictions();
        try {
            VertexPredictor.Streamed streamed = predictor(oneImagePerRequest())
                    .predictEach(
                            deployment.predictUrl(),
                            counted(14, reads).iterator(),
                            0,
                            Duration.ofMinutes(1),
                            4,
                            Progress.NONE,
                            result -> {
                                readAhead.add(reads.get() - results.size());
                                results.add(result);
                            });

            assertThat(streamed.requests()).isEqualTo(14);
            assertThat(streamed.predictions()).isEqualTo(14);
            assertThat(cloud.prediction().mostConcurrentPredictions()).isEqualTo(4);
        } finally {
            cloud.prediction().setAnswerDelay(Duration.ZERO);
        }
        assertThat(results).allMatch(ImageResult::ok);
        assertThat(results)
                .extracting(ImageResult::image)
                .containsExactlyElementsOf(IntStream.range(0, 14)
                        .mapToObj(i -> String.format("img-%02d", i))
                        .toList());
        assertThat(results)
                .extracting(r -> r.prediction().label())
                .containsExactlyElementsOf(IntStream.range(0, 14)
                        .mapToObj(i -> i % 2 == 0 ? "0" : "180")
                        .toList());
        assertThat(readAhead)
                .as("images read but not yet answered: the requests in flight and the one image that did not fit")
                .allMatch(ahead -> ahead <= 4 + 1);
    }

    @Test
    void aStreamWakesTheEndpointWithItsFirstRequestAloneThenStreams() {
        cloud.vertex().scaleToZero(deployment.endpoint());
        cloud.prediction().setScaleUpDelay(Duration.ofMillis(1500));
        int notReadyBefore = cloud.prediction().notReadyAnswers();
        AtomicInteger reads = new AtomicInteger();
        List<Integer> readAtEachResult = new ArrayList<>();
        List<ImageResult> results = new ArrayList<>();

        VertexPredictor.Streamed streamed = predictor(oneImagePerRequest())
                .predictEach(
                        deployment.predictUrl(),
                        counted(6, reads).iterator(),
                        0,
                        Duration.ofMinutes(1),
                        4,
                        Progress.NONE,
                        result -> {
                            readAtEachResult.add(reads.get());
                            results.add(result);
                        });

        assertThat(readAtEachResult.get(0))
                .as("while the first request wakes the endpoint, only its image and the next (which did not fit"
                        + " in it) are read, and nothing else is sent")
                .isEqualTo(2);
        assertThat(cloud.prediction().notReadyAnswers()).isGreaterThan(notReadyBefore);
        assertThat(streamed.wake()).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        assertThat(streamed.total()).isGreaterThanOrEqualTo(streamed.wake());
        assertThat(results).allMatch(ImageResult::ok).hasSize(6);
        assertThat(results.get(5).prediction().label()).isEqualTo("180");
    }

    @Test
    void aStreamStopsAtOnceOnAQuota() {
        cloud.faults()
                .failAlways(
                        "predict",
                        Faults.quotaExceeded(
                                "aiplatform.googleapis.com/online_prediction_requests_per_base_model",
                                "OnlinePredictionRequestsPerMinutePerProjectPerRegion",
                                FakeGoogleCloud.PROJECT));
        List<ImageResult> results = new ArrayList<>();
        long start = System.nanoTime();

        assertThatThrownBy(() -> predictor(oneImagePerRequest())
                        .predictEach(
                                deployment.predictUrl(),
                                counted(6, new AtomicInteger()).iterator(),
                                0,
                                Duration.ofSeconds(20),
                                4,
                                Progress.NONE,
                                results::add))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining(
                        "quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model");
        assertThat(results).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("no waiting on a quota")
                .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anImageTheEndpointRefusesIsOneFailedResultAndTheStreamGoesOn() {
        // not-an-image.png is small enough to share upright.png's request: the refused request is sent again
        // one image a request, and only not-an-image.png fails
        List<PendingImage> pending = List.of(
                new PendingImage("upright.png", images.get(0)::bytes),
                new PendingImage("not-an-image.png", () -> "plain text, not an image".getBytes(UTF_8)),
                new PendingImage("unreadable.png", () -> {
                    throw MldevException.usage("cannot read unreadable.png", null);
                }),
                new PendingImage("upside-down.png", images.get(1)::bytes));
        List<ImageResult> results = new ArrayList<>();

        VertexPredictor.Streamed streamed = predictor(oneImagePerRequest())
                .predictEach(
                        deployment.predictUrl(),
                        pending.iterator(),
                        0,
                        Duration.ofMinutes(1),
                        4,
                        Progress.NONE,
                        results::add);

        assertThat(results)
                .extracting(ImageResult::image)
                .containsExactly("upright.png", "not-an-image.png", "unreadable.png", "upside-down.png");
        assertThat(results).extracting(ImageResult::ok).containsExactly(true, false, false, true);
        assertThat(results.get(1).failure().getMessage()).contains("HTTP 400");
        assertThat(results.get(2).failure().getMessage()).isEqualTo("cannot read unreadable.png");
        assertThat(results.get(3).prediction().label()).isEqualTo("180");
        assertThat(streamed.predictions())
                .as("failed images are not predictions")
                .isEqualTo(2);
    }

    @Test
    void theTargetStreamsAndReportsTheTimingOncePerRun() {
        VertexTarget target = new VertexTarget(
                new Environment(cloud.environment(home), home), store, Duration.ofMinutes(1), notices::add);
        List<ImageResult> results = new ArrayList<>();

        target.predictEach(
                store.find("cls").orElseThrow(),
                counted(5, new AtomicInteger()).iterator(),
                0,
                Progress.NONE,
                results::add);

        assertThat(results).extracting(ImageResult::image).hasSize(5).startsWith("img-00");
        assertThat(notices).singleElement().asString().matches("5 predictions in \\d+\\.\\d s");
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
