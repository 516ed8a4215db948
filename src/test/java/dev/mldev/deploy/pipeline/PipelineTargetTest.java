package dev.mldev.deploy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.aiplatform.v1beta1.PipelineJob;
import com.google.cloud.aiplatform.v1beta1.PipelineState;
import dev.mldev.DeploymentState;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.TargetKind;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.DeploymentStore;
import dev.mldev.deploy.vertex.VertexSpec;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.RecordingProgress;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vertex-pipeline target against the fake PipelineService, which runs the compiled component's command
 * line here (on the CPU, through this JVM's classpath), so the answers come from the real classifier.
 */
class PipelineTargetTest {
    static final String IMAGE = "us-docker.pkg.dev/mldev-test-project/mldev/serve:1";

    @TempDir
    static Path home;

    static FakeGoogleCloud cloud;
    static Path bundle;
    static List<Predictor.Input> images;
    final List<String> notices = new CopyOnWriteArrayList<>();
    PipelineTarget target;
    volatile boolean answer = true;
    DeploymentRecord record;

    @BeforeAll
    static void start() {
        CliRun packaged = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.CLS).toString(),
                "--preset",
                "ppocr-cls",
                "--out",
                home.resolve("cls").toString());
        assertThat(packaged.exitCode).as(packaged.toString()).isZero();
        bundle = home.resolve("cls");
        cloud = new FakeGoogleCloud();
        cloud.storage().createBucket("mldev-test-bucket");
        var line = TextImages.line("Scale to zero");
        images = List.of(
                new Predictor.Input("upright.png", TextImages.encode(line, "png")),
                new Predictor.Input("upside-down.png", TextImages.encode(TextImages.rotated180(line), "png")));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        cloud.close();
    }

    @BeforeEach
    void deploy() {
        cloud.pipelines().setQueueDelay(Duration.ofMillis(100));
        Environment env = new Environment(cloud.environment(home), home);
        target = new PipelineTarget(
                env,
                new DeploymentStore(env.stateDir()),
                notices::add,
                question -> {
                    notices.add(question);
                    return answer;
                },
                "mldev-test",
                Duration.ofMillis(100));
        record = target.deploy(
                bundle,
                new VertexSpec.Flags(
                        "cls",
                        FakeGoogleCloud.PROJECT,
                        FakeGoogleCloud.REGION,
                        "mldev-test-bucket",
                        "g2-standard-4",
                        "nvidia-l4",
                        1,
                        null,
                        null,
                        null,
                        null,
                        IMAGE,
                        null),
                Progress.NONE);
    }

    @Test
    void deployUploadsTheBundleAndTheSpecAndStartsNothing() {
        assertThat(record.target()).isEqualTo(TargetKind.VERTEX_PIPELINE);
        assertThat(cloud.storage().objects("mldev-test-bucket"))
                .containsKey("mldev/cls/" + record.version().replaceAll("[^a-z0-9-]", "-") + "/pipeline.json");
        assertThat(record.detail("spec_uri")).endsWith("/pipeline.json");
        assertThat(target.status(record).state()).isEqualTo(DeploymentState.ZERO);
    }

    @Test
    void aPredictionIsOnePipelineRunAnsweredByTheRealModel() {
        int before = cloud.pipelines().jobs().size();
        List<String> shown = new CopyOnWriteArrayList<>();

        List<Prediction> predictions = target.predict(record, images, 0, new RecordingProgress(shown));

        assertThat(predictions).extracting(Prediction::image).containsExactly("upright.png", "upside-down.png");
        assertThat(predictions).extracting(Prediction::label).containsExactly("0", "180");
        PipelineJob job = cloud.pipelines().jobs().get(before);
        assertThat(job.getState()).isEqualTo(PipelineState.PIPELINE_STATE_SUCCEEDED);
        assertThat(job.getRuntimeConfig().getGcsOutputDirectory()).startsWith("gs://mldev-test-bucket/mldev/cls/runs/");
        assertThat(job.getLabelsMap()).containsEntry("managed-by", "mldev").containsEntry("mldev-name", "cls");
        assertThat(shown)
                .anyMatch(l -> l.startsWith("pipeline run queued"))
                .anyMatch(l -> l.startsWith("pipeline run running"));
        assertThat(notices)
                .anyMatch(
                        n -> n.matches("pipeline run \\S+: wall time \\S+, GPU time billed \\S+ \\(1 x nvidia-l4\\)"));
    }

    @Test
    void aFailedRunReportsTheTasksErrorAndTheConsoleLink() {
        cloud.storage().objects("mldev-test-bucket").keySet().stream()
                .filter(k -> k.endsWith("mldev.json"))
                .forEach(k -> cloud.storage().put("mldev-test-bucket", k, "{\"schema\": 99}".getBytes()));

        assertThatThrownBy(() -> target.predict(record, images, 0, Progress.NONE))
                .isInstanceOf(MldevException.class)
                .hasMessageStartingWith("pipeline run failed: mldev: ")
                .hasMessageContaining("schema 99")
                .satisfies(e -> assertThat(((MldevException) e).hint())
                        .startsWith(
                                "see the run's logs: https://console.cloud.google.com/vertex-ai/locations/us-central1/pipelines/runs/mldev-cls-")
                        .endsWith("?project=" + FakeGoogleCloud.PROJECT));
        assertThat(cloud.pipelines()
                        .jobs()
                        .get(cloud.pipelines().jobs().size() - 1)
                        .getState())
                .isEqualTo(PipelineState.PIPELINE_STATE_FAILED);
    }

    /** Starts a predict in another thread, interrupts it once its job exists, and returns what it threw. */
    Throwable interruptedPredict() throws InterruptedException {
        int before = cloud.pipelines().jobs().size();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                target.predict(record, images, 0, Progress.NONE);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        long deadline = System.currentTimeMillis() + 20_000;
        while (cloud.pipelines().jobs().size() == before && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        caller.interrupt();
        caller.join(20_000);
        return thrown.get();
    }

    @Test
    void anInterruptCancelsTheRunWhenTheUserAgrees() throws Exception {
        cloud.pipelines().setQueueDelay(Duration.ofSeconds(5));
        int before = cloud.pipelines().jobs().size();

        assertThat(interruptedPredict())
                .isInstanceOf(MldevException.class)
                .hasMessageStartingWith("interrupted: cancelled pipeline run");
        assertThat(notices).anyMatch(n -> n.startsWith("cancel pipeline run projects/"));
        long deadline = System.currentTimeMillis() + 20_000;
        PipelineJob job = cloud.pipelines().jobs().get(before);
        while (job.getState() == PipelineState.PIPELINE_STATE_CANCELLING && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            job = cloud.pipelines().jobs().get(before);
        }
        assertThat(job.getState()).isEqualTo(PipelineState.PIPELINE_STATE_CANCELLED);
    }

    @Test
    void anInterruptLeavesTheRunGoingWhenTheUserSaysNo() throws Exception {
        cloud.pipelines().setQueueDelay(Duration.ofSeconds(2));
        answer = false;
        int before = cloud.pipelines().jobs().size();

        Throwable thrown = interruptedPredict();

        assertThat(thrown).hasMessageEndingWith("left running");
        assertThat(((MldevException) thrown).hint())
                .contains("https://console.cloud.google.com/vertex-ai/locations/us-central1/pipelines/runs/");
        assertThat(cloud.pipelines().jobs().get(before).getState())
                .isNotIn(PipelineState.PIPELINE_STATE_CANCELLING, PipelineState.PIPELINE_STATE_CANCELLED);
    }

    @Test
    void runsAsTheServiceAccountGivenAndThePlanSaysWhich() {
        String account = "mldev-runner@" + FakeGoogleCloud.PROJECT + ".iam.gserviceaccount.com";
        VertexSpec.Flags flags = new VertexSpec.Flags(
                "cls-sa",
                FakeGoogleCloud.PROJECT,
                FakeGoogleCloud.REGION,
                "mldev-test-bucket",
                "g2-standard-4",
                "nvidia-l4",
                1,
                null,
                null,
                null,
                null,
                IMAGE,
                account);
        assertThat(target.plan(bundle, flags).get("calls").toString())
                .contains("running as service account " + account);
        assertThat(target.plan(
                                bundle,
                                new VertexSpec.Flags(
                                        "cls",
                                        FakeGoogleCloud.PROJECT,
                                        FakeGoogleCloud.REGION,
                                        "mldev-test-bucket",
                                        "g2-standard-4",
                                        "nvidia-l4",
                                        1,
                                        null,
                                        null,
                                        null,
                                        null,
                                        IMAGE,
                                        null))
                        .get("calls")
                        .toString())
                .contains(
                        "running as the Compute Engine default service account (pass --service-account to choose one)");

        DeploymentRecord withAccount = target.deploy(bundle, flags, Progress.NONE);
        assertThat(withAccount.detail("service_account")).isEqualTo(account);
        int before = cloud.pipelines().jobs().size();
        target.predict(withAccount, images.subList(0, 1), 0, Progress.NONE);

        assertThat(cloud.pipelines().jobs().get(before).getServiceAccount()).isEqualTo(account);
        assertThat(record.detail("service_account")).isEmpty();
    }
}
