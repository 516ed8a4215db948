package dev.mldev.deploy.vertex.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.aiplatform.v1beta1.BatchPredictionJob;
import com.google.cloud.aiplatform.v1beta1.JobState;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.runtime.Predictor;
import dev.mldev.testing.CliRun;
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
 * Ctrl-C during a batch job (an interrupt of the thread that follows it): it asks, then cancels the job, waits
 * until Vertex AI has stopped it, and only then deletes the model (the fake refuses to delete a model a job still
 * uses); answered no, the job, its model and its inputs stay.
 */
class VertexBatchCancelTest {
    static final String BUCKET = "mldev-test-bucket";

    @TempDir
    static Path home;

    static FakeGoogleCloud cloud;
    static Path bundle;
    static List<Predictor.Input> images;
    final List<String> questions = new CopyOnWriteArrayList<>();
    volatile boolean answer = true;

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
        cloud.storage().createBucket(BUCKET);
        images = List.of(new Predictor.Input("line.png", TextImages.encode(TextImages.line("Cancel me"), "png")));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        cloud.close();
    }

    @BeforeEach
    void slowJobs() {
        cloud.batchJobs().setPendingDelay(Duration.ofSeconds(30));
    }

    /** Runs a batch in another thread, interrupts it once its job exists, and returns what it threw and the job. */
    Throwable interruptedBatch(String name) throws InterruptedException {
        int before = cloud.batchJobs().jobs().size();
        VertexBatch batch = new VertexBatch(
                new Environment(cloud.environment(home), home),
                question -> {
                    questions.add(question);
                    return answer;
                },
                Duration.ofMillis(100));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                batch.run(
                        bundle,
                        new BatchSpec.Flags(
                                name,
                                FakeGoogleCloud.PROJECT,
                                FakeGoogleCloud.REGION,
                                BUCKET,
                                null,
                                null,
                                1,
                                "us-docker.pkg.dev/p/r/serve:1",
                                List.of("line.png"),
                                null,
                                null),
                        images,
                        Progress.NONE);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        long deadline = System.currentTimeMillis() + 20_000;
        while (cloud.batchJobs().jobs().size() == before && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(200);
        caller.interrupt();
        caller.join(20_000);
        return thrown.get();
    }

    BatchPredictionJob last() {
        List<BatchPredictionJob> jobs = cloud.batchJobs().jobs();
        return jobs.get(jobs.size() - 1);
    }

    @Test
    void anInterruptCancelsTheJobThenDeletesItsModelAndInputs() throws Exception {
        Throwable thrown = interruptedBatch("cls-cancelled");

        assertThat(thrown)
                .isInstanceOf(MldevException.class)
                .hasMessageStartingWith("interrupted: cancelled batch prediction job");
        assertThat(questions).anyMatch(q -> q.startsWith("cancel batch prediction job projects/"));
        assertThat(last().getState()).isEqualTo(JobState.JOB_STATE_CANCELLED);
        assertThat(cloud.vertex().models()).extracting(m -> m.getName()).doesNotContain(last().getModel());
        assertThat(cloud.storage().objects(BUCKET).keySet()).noneMatch(k -> k.startsWith("mldev/cls-cancelled/batch/"));
    }

    @Test
    void answeredNoTheJobItsModelAndItsInputsStay() throws Exception {
        answer = false;

        Throwable thrown = interruptedBatch("cls-kept");

        assertThat(thrown).hasMessageEndingWith("left running");
        assertThat(last().getState()).isIn(JobState.JOB_STATE_PENDING, JobState.JOB_STATE_RUNNING);
        assertThat(cloud.vertex().models()).extracting(m -> m.getName()).contains(last().getModel());
        assertThat(cloud.storage().objects(BUCKET).keySet())
                .anyMatch(k -> k.startsWith("mldev/cls-kept/batch/") && k.endsWith("/instances.jsonl"));
    }
}
