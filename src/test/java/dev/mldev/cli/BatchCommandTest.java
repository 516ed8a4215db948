package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.aiplatform.v1beta1.AcceleratorType;
import com.google.cloud.aiplatform.v1beta1.BatchDedicatedResources;
import com.google.cloud.aiplatform.v1beta1.BatchPredictionJob;
import com.google.cloud.aiplatform.v1beta1.JobState;
import com.google.cloud.aiplatform.v1beta1.MachineSpec;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.ImageRoot;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mldev batch} black-box against the fake Vertex AI, whose batch prediction jobs run this build's serving
 * image (its entrypoint, chroot) over the instances mldev uploaded; and {@code status} listing a running job.
 */
class BatchCommandTest {
    static final String IMAGE = "us-docker.pkg.dev/mldev-test-project/mldev/serve:1";
    static final String BUCKET = "mldev-test-bucket";
    static final List<String> TEXTS = List.of("Scale to zero", "Nothing idle", "Three lines");

    @TempDir
    static Path home;

    static FakeGoogleCloud cloud;
    static Path bundle;
    static Path[] lines = new Path[TEXTS.size()];

    @BeforeAll
    static void start() {
        bundle = TestModels.packageRecognizer(home);
        for (int i = 0; i < TEXTS.size(); i++) {
            lines[i] = TextImages.write(TextImages.line(TEXTS.get(i)), home.resolve("line-" + i + ".png"));
        }
        cloud = new FakeGoogleCloud();
        cloud.storage().createBucket(BUCKET);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        cloud.close();
    }

    static Map<String, String> env() {
        Map<String, String> env = new HashMap<>(cloud.environment(home));
        env.put("MLDEV_PROJECT", FakeGoogleCloud.PROJECT);
        env.put("MLDEV_REGION", FakeGoogleCloud.REGION);
        env.put("MLDEV_BUCKET", BUCKET);
        return env;
    }

    static CliRun batch(String... args) {
        String[] all = new String[args.length + 6];
        all[0] = "batch";
        all[1] = bundle.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        all[all.length - 4] = "--name";
        all[all.length - 3] = "rec";
        all[all.length - 2] = "--image";
        all[all.length - 1] = IMAGE;
        return CliRun.run(home, env(), all);
    }

    @Test
    void threeTextLinesGoThroughOneBatchJobOnTheServingImageAndNothingIsLeft() {
        ImageRoot.requireRoot();
        cloud.runServingImage();
        int jobsBefore = cloud.batchJobs().jobs().size();

        CliRun run = batch(lines[0].toString(), lines[1].toString(), lines[2].toString(), "--replicas", "2");

        assertThat(run.exitCode).as(run.toString()).isZero();
        List<String> out = run.out.lines().toList();
        assertThat(out).hasSize(3);
        for (int i = 0; i < TEXTS.size(); i++) {
            assertThat(out.get(i)).startsWith(lines[i] + "  \"" + TEXTS.get(i) + "\"  ");
        }
        BatchPredictionJob job = cloud.batchJobs().jobs().get(jobsBefore);
        assertThat(job.getState()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
        assertThat(job.getDedicatedResources().getStartingReplicaCount()).isEqualTo(2);
        assertThat(job.getDedicatedResources().getMachineSpec().getAcceleratorType())
                .isEqualTo(AcceleratorType.NVIDIA_L4);
        assertThat(job.getLabelsMap()).containsEntry("managed-by", "mldev").containsEntry("mldev-name", "rec");
        assertThat(run.err).contains("mldev: batch prediction job " + job.getName() + " took ");
        // zero idle cost by construction: the model it uploaded and the run's files are gone
        assertThat(cloud.vertex().models()).isEmpty();
        assertThat(cloud.storage().objects(BUCKET).keySet()).noneMatch(k -> k.contains("/batch/"));
    }

    @Test
    void gcsInputsAreReadByTheJobAndWithOutputThePredictionsStayInCloudStorage() {
        ImageRoot.requireRoot();
        cloud.runServingImage();
        StringBuilder jsonl = new StringBuilder();
        for (Path line : lines) {
            jsonl.append("{\"b64\":\"")
                    .append(java.util.Base64.getEncoder().encodeToString(read(line)))
                    .append("\"}\n");
        }
        cloud.storage()
                .put(BUCKET, "in/part-1.jsonl", jsonl.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));

        CliRun run = batch("gs://" + BUCKET + "/in/*.jsonl", "--output", "gs://" + BUCKET + "/results");

        assertThat(run.exitCode).as(run.toString()).isZero();
        String folder = run.out.strip();
        assertThat(folder).startsWith("gs://" + BUCKET + "/results/prediction-mldev-rec-");
        String prefix = folder.substring(("gs://" + BUCKET + "/").length());
        String written = cloud.storage().objects(BUCKET).entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix))
                .map(e -> new String(e.getValue().bytes(), java.nio.charset.StandardCharsets.UTF_8))
                .reduce("", String::concat);
        TEXTS.forEach(text -> assertThat(written).contains("\"text\":\"" + text + "\""));
        assertThat(cloud.storage().objects(BUCKET)).containsKey("in/part-1.jsonl");
        assertThat(cloud.vertex().models()).isEmpty();
    }

    private static byte[] read(Path file) {
        try {
            return java.nio.file.Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void dryRunJsonHasTheJobRequestAndTheForecastFromTheMeasuredTime() throws Exception {
        CliRun run = batch(
                lines[0].toString(),
                lines[1].toString(),
                lines[2].toString(),
                "--replicas",
                "2",
                "--machine",
                "g2-standard-8",
                "--dry-run",
                "--json",
                "--per-image-ms",
                "1200000");

        assertThat(run.exitCode).as(run.toString()).isZero();
        JsonNode plan = new ObjectMapper().readTree(run.out);
        JsonNode job = plan.get("batch_prediction_job");
        assertThat(job.at("/inputConfig/instancesFormat").asText()).isEqualTo("jsonl");
        assertThat(job.at("/inputConfig/gcsSource/uris/0").asText())
                .startsWith("gs://" + BUCKET + "/mldev/rec/batch/mldev-rec-batch-")
                .endsWith("/instances.jsonl");
        assertThat(job.at("/outputConfig/predictionsFormat").asText()).isEqualTo("jsonl");
        assertThat(job.at("/outputConfig/gcsDestination/outputUriPrefix").asText())
                .endsWith("/out/");
        assertThat(job.at("/dedicatedResources/machineSpec/machineType").asText())
                .isEqualTo("g2-standard-8");
        assertThat(job.at("/dedicatedResources/machineSpec/acceleratorType").asText())
                .isEqualTo("NVIDIA_L4");
        assertThat(job.at("/dedicatedResources/startingReplicaCount").asInt()).isEqualTo(2);
        assertThat(job.at("/dedicatedResources/maxReplicaCount").asInt()).isEqualTo(2);
        JsonNode forecast = plan.get("forecast");
        assertThat(forecast.get("images").asInt()).isEqualTo(3);
        // 3 images x 20 min = 1 h of compute, plus 2 replicas x 10 min to start = 1.3333 node hours of 1 L4 each
        assertThat(forecast.get("node_hours").decimalValue()).isEqualByComparingTo("1.3333");
        assertThat(forecast.get("gpu_hours").decimalValue()).isEqualByComparingTo("1.3333");
        // g2-standard-8 + 1 L4 in us-central1 is $0.98090285 an hour with the built-in prices
        assertThat(forecast.get("cost_usd").decimalValue())
                .isEqualByComparingTo(new BigDecimal("0.98090285")
                        .multiply(new BigDecimal("4").divide(new BigDecimal("3"), 10, java.math.RoundingMode.HALF_UP))
                        .setScale(6, java.math.RoundingMode.HALF_UP));
        assertThat(forecast.get("notes").get(0).asText())
                .isEqualTo("per image: 1200000 ms, as measured (--per-image-ms)");
        assertThat(cloud.batchJobs().jobs())
                .noneMatch(j -> j.getDisplayName().startsWith("mldev-rec-batch-")
                        && j.getName().equals(job.path("name").asText()));
    }

    @Test
    void withoutAMeasuredTimeTheForecastSaysWhatItAssumed() throws Exception {
        CliRun run = batch(lines[0].toString(), "--dry-run", "--json");

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(new ObjectMapper().readTree(run.out).at("/forecast/notes/0").asText())
                .startsWith("per image: 100 ms assumed; pass --per-image-ms");
    }

    @Test
    void badInputIsRefusedWithEveryProblemBeforeAnyCall() {
        int jobsBefore = cloud.batchJobs().jobs().size();

        CliRun run =
                batch(lines[0].toString(), "gs://" + BUCKET + "/in/x.jsonl", "--replicas", "0", "--output", "out/");

        assertThat(run.exitCode).as(run.toString()).isEqualTo(2);
        assertThat(run.err)
                .contains("--replicas 0 is below 1")
                .contains("inputs mix local files and gs:// URIs")
                .contains("--output 'out/' is not a gs://BUCKET/PATH URI");
        assertThat(cloud.batchJobs().jobs()).hasSize(jobsBefore);
    }

    @Test
    void statusListsARunningBatchJobWithItsCostPerHour() throws Exception {
        cloud.batchJobs()
                .put(BatchPredictionJob.newBuilder()
                        .setName("projects/" + FakeGoogleCloud.PROJECT + "/locations/" + FakeGoogleCloud.REGION
                                + "/batchPredictionJobs/42")
                        .setDisplayName("mldev-ocr-batch-20260101-000000-abcdef")
                        .putLabels("managed-by", "mldev")
                        .putLabels("mldev-name", "ocr")
                        .setState(JobState.JOB_STATE_RUNNING)
                        .setDedicatedResources(BatchDedicatedResources.newBuilder()
                                .setMachineSpec(MachineSpec.newBuilder()
                                        .setMachineType("g2-standard-8")
                                        .setAcceleratorType(AcceleratorType.NVIDIA_L4)
                                        .setAcceleratorCount(1))
                                .setStartingReplicaCount(2)
                                .setMaxReplicaCount(2))
                        .build());

        CliRun run =
                CliRun.run(home, env(), "status", "--target", "vertex", "--region", FakeGoogleCloud.REGION, "--json");

        assertThat(run.exitCode).as(run.toString()).isZero();
        JsonNode row = null;
        for (JsonNode r : new ObjectMapper().readTree(run.out).get("deployments")) {
            if (r.get("name").asText().equals("ocr (batch)")) {
                row = r;
            }
        }
        assertThat(row).as(run.out).isNotNull();
        assertThat(row.get("kind").asText()).isEqualTo("batch_job");
        assertThat(row.get("state").asText()).isEqualTo("running");
        assertThat(row.get("replicas").asInt()).isEqualTo(2);
        // 2 x 0.98090285 (g2-standard-8 + 1 L4)
        assertThat(row.get("idle_cost_per_hour_usd").decimalValue()).isEqualByComparingTo("1.961806");
        assertThat(row.get("reason").asText()).isEqualTo("batch prediction job running on 2 nodes of 1 x NVIDIA_L4");
    }
}
