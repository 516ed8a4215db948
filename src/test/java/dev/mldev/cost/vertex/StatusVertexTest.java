package dev.mldev.cost.vertex;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.Metric;
import com.google.api.MonitoredResource;
import com.google.cloud.aiplatform.v1beta1.AcceleratorType;
import com.google.cloud.aiplatform.v1beta1.ContainerSpec;
import com.google.cloud.aiplatform.v1beta1.CustomJob;
import com.google.cloud.aiplatform.v1beta1.CustomJobSpec;
import com.google.cloud.aiplatform.v1beta1.DedicatedResources;
import com.google.cloud.aiplatform.v1beta1.DeployedModel;
import com.google.cloud.aiplatform.v1beta1.JobState;
import com.google.cloud.aiplatform.v1beta1.MachineSpec;
import com.google.cloud.aiplatform.v1beta1.PipelineJob;
import com.google.cloud.aiplatform.v1beta1.PipelineJobDetail;
import com.google.cloud.aiplatform.v1beta1.PipelineState;
import com.google.cloud.aiplatform.v1beta1.PipelineTaskDetail;
import com.google.cloud.aiplatform.v1beta1.PipelineTaskExecutorDetail;
import com.google.cloud.aiplatform.v1beta1.WorkerPoolSpec;
import com.google.monitoring.v3.Point;
import com.google.monitoring.v3.TimeInterval;
import com.google.monitoring.v3.TimeSeries;
import com.google.monitoring.v3.TypedValue;
import com.google.protobuf.Timestamp;
import dev.mldev.cli.ExitCodes;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.testing.CliRun;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mldev status --target vertex} against the fake Google Cloud: endpoints made outside mldev, a running
 * pipeline job and custom job, Cloud Monitoring's replicas and predictions, priced with the built-in table.
 */
class StatusVertexTest {
    private static final String LOCATION =
            "projects/" + FakeGoogleCloud.PROJECT + "/locations/" + FakeGoogleCloud.REGION;
    private static final Instant LAST_PREDICTION =
            Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

    @TempDir
    Path home;

    FakeGoogleCloud cloud;

    @BeforeEach
    void start() {
        cloud = new FakeGoogleCloud();
    }

    @AfterEach
    void stop() throws Exception {
        cloud.close();
    }

    /** Billing idle: min replicas 1 on g2-standard-8 + L4, $0.98090285/h with the built-in prices. */
    private void alwaysOnEndpoint() {
        cloud.vertex().putEndpoint(endpoint("101", "always-on", VertexBillablesTest.deployed("11", 1, 2, null)), 1);
        cloud.monitoring()
                .add(series(
                        EndpointMetrics.REPLICAS,
                        "101",
                        "11",
                        point(Instant.now().minusSeconds(60), 1)));
        cloud.monitoring()
                .add(series(
                        EndpointMetrics.PREDICTIONS,
                        "101",
                        "11",
                        point(LAST_PREDICTION.minus(1, ChronoUnit.HOURS), 3),
                        point(LAST_PREDICTION, 1)));
    }

    /**
     * Not billing idle: min replicas 0, scale to zero after 30 minutes, at zero now. Its replicas series stopped
     * reporting when it scaled down 10 minutes ago, at 1 replica: that stale point must not make it look warm.
     */
    private void scaleToZeroEndpoint() {
        cloud.vertex()
                .putEndpoint(
                        endpoint("102", "sleepy", VertexBillablesTest.deployed("12", 0, 1, Duration.ofMinutes(30))), 0);
        cloud.monitoring()
                .add(series(
                        EndpointMetrics.REPLICAS,
                        "102",
                        "12",
                        point(Instant.now().minus(11, ChronoUnit.MINUTES), 1),
                        point(Instant.now().minus(10, ChronoUnit.MINUTES), 1)));
    }

    /** A machine type no price table knows. */
    private void unknownMachineEndpoint() {
        DeployedModel odd = DeployedModel.newBuilder()
                .setId("13")
                .setDedicatedResources(DedicatedResources.newBuilder()
                        .setMachineSpec(MachineSpec.newBuilder().setMachineType("x9-huge-1"))
                        .setMinReplicaCount(1)
                        .setMaxReplicaCount(1))
                .build();
        cloud.vertex().putEndpoint(endpoint("103", "mystery", odd), 1);
    }

    /** A pipeline run whose task runs as a custom job on g2-standard-8 + 1 L4, and a training job on n1 + T4. */
    private void runningJobs() {
        String taskJob = LOCATION + "/customJobs/201";
        cloud.customJobs().put(VertexBillablesTest.customJob(taskJob, "ocr-run-task", JobState.JOB_STATE_RUNNING));
        cloud.pipelines()
                .put(PipelineJob.newBuilder()
                        .setName(LOCATION + "/pipelineJobs/ocr-run")
                        .setDisplayName("ocr-run")
                        .setState(PipelineState.PIPELINE_STATE_RUNNING)
                        .setJobDetail(PipelineJobDetail.newBuilder()
                                .addTaskDetails(PipelineTaskDetail.newBuilder()
                                        .setExecutorDetail(PipelineTaskExecutorDetail.newBuilder()
                                                .setContainerDetail(
                                                        PipelineTaskExecutorDetail.ContainerDetail.newBuilder()
                                                                .setMainJob(taskJob)))))
                        .build());
        cloud.pipelines()
                .put(PipelineJob.newBuilder()
                        .setName(LOCATION + "/pipelineJobs/old-run")
                        .setDisplayName("old-run")
                        .setState(PipelineState.PIPELINE_STATE_SUCCEEDED)
                        .build());
        cloud.customJobs()
                .put(CustomJob.newBuilder()
                        .setName(LOCATION + "/customJobs/202")
                        .setDisplayName("train")
                        .setState(JobState.JOB_STATE_RUNNING)
                        .setJobSpec(CustomJobSpec.newBuilder()
                                .addWorkerPoolSpecs(WorkerPoolSpec.newBuilder()
                                        .setReplicaCount(1)
                                        .setContainerSpec(
                                                ContainerSpec.newBuilder().setImageUri("x"))
                                        .setMachineSpec(MachineSpec.newBuilder()
                                                .setMachineType("n1-standard-4")
                                                .setAcceleratorType(AcceleratorType.NVIDIA_TESLA_T4)
                                                .setAcceleratorCount(1))))
                        .build());
    }

    private CliRun status(String... extra) {
        Map<String, String> env = new HashMap<>(cloud.environment(home));
        env.put("MLDEV_PROJECT", FakeGoogleCloud.PROJECT);
        String[] args = new String[extra.length + 5];
        args[0] = "status";
        args[1] = "--target";
        args[2] = "vertex";
        args[3] = "--region";
        args[4] = FakeGoogleCloud.REGION;
        System.arraycopy(extra, 0, args, 5, extra.length);
        return CliRun.run(home, env, args);
    }

    @Test
    void everythingThatBillsIsListedAndPriced() throws Exception {
        alwaysOnEndpoint();
        scaleToZeroEndpoint();
        runningJobs();
        CliRun run = status("--json");
        assertThat(run.exitCode).as(run.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out);
        Map<String, JsonNode> rows = new HashMap<>();
        json.get("deployments").forEach(row -> rows.put(row.get("name").asText(), row));
        assertThat(rows).containsOnlyKeys("always-on", "sleepy", "ocr-run", "train");

        JsonNode alwaysOn = rows.get("always-on");
        assertThat(alwaysOn.get("state").asText()).isEqualTo("warm");
        assertThat(alwaysOn.get("replicas").asInt()).isEqualTo(1);
        // (0.293059 + 0.5599) x 1.15 = 0.98090285
        assertThat(alwaysOn.get("idle_cost_per_hour_usd").decimalValue()).isEqualByComparingTo("0.980903");
        assertThat(alwaysOn.get("reason").asText()).isEqualTo("min replicas 1: never scales to zero");
        assertThat(Instant.parse(alwaysOn.get("idle_since").asText())).isEqualTo(LAST_PREDICTION);

        JsonNode sleepy = rows.get("sleepy");
        assertThat(sleepy.get("state").asText()).isEqualTo("zero");
        assertThat(sleepy.get("idle_cost_per_hour_usd").decimalValue()).isEqualByComparingTo("0");
        assertThat(sleepy.get("reason").asText()).isEqualTo("scale-to-zero after 30m idle");

        JsonNode pipeline = rows.get("ocr-run");
        assertThat(pipeline.get("target").asText()).isEqualTo("vertex-pipeline");
        assertThat(pipeline.get("state").asText()).isEqualTo("running");
        assertThat(pipeline.get("reason").asText()).isEqualTo("pipeline job running on 1 x NVIDIA_L4");
        assertThat(pipeline.get("idle_cost_per_hour_usd").decimalValue()).isEqualByComparingTo("0.980903");

        // (0.189999 + 0.35) x 1.15 = 0.62099885
        assertThat(rows.get("train").get("idle_cost_per_hour_usd").decimalValue())
                .isEqualByComparingTo("0.620999");
        // 0.98090285 x 2 + 0.62099885 = 2.58280455
        assertThat(json.get("total_idle_cost_per_hour_usd").decimalValue()).isEqualByComparingTo("2.582805");
        assertThat(run.err).isEmpty();
    }

    @Test
    void theGateTripsOnIdleBillingAndNamesTheOffenders() {
        alwaysOnEndpoint();
        scaleToZeroEndpoint();
        CliRun strict = status("--max-idle-cost", "0");
        assertThat(strict.exitCode).as(strict.toString()).isEqualTo(ExitCodes.GATE);
        assertThat(strict.err)
                .isEqualTo("mldev: idle cost $0.98/h exceeds --max-idle-cost $0/h: always-on ($0.98/h)\n");
        // idle for about two hours: the last prediction Cloud Monitoring saw
        assertThat(strict.out).containsPattern("always-on\tvertex\twarm\t1\t2h[0-9ms]*\t-\t0.980903\t0.980903");

        CliRun lenient = status("--max-idle-cost", "1");
        assertThat(lenient.exitCode).as(lenient.toString()).isEqualTo(ExitCodes.OK);
    }

    @Test
    void anUnknownMachineFailsTheGateAsUnknownNotZero() {
        scaleToZeroEndpoint();
        unknownMachineEndpoint();
        CliRun run = status("--max-idle-cost", "100");
        assertThat(run.exitCode).isEqualTo(ExitCodes.GATE);
        assertThat(run.out)
                .contains("mystery\tvertex\twarm\t1\t-\t-\tunknown\tunknown\t-\tmin replicas 1: never scales"
                        + " to zero; price unknown: no price for machine type x9-huge-1 in us-central1");
        assertThat(run.err)
                .isEqualTo("mldev: idle cost unknown (unknown prices fail the gate), known total $0/h"
                        + " against --max-idle-cost $100.00/h: mystery (unknown)\n");
    }

    @Test
    void vertexWithoutARegionIsAUsageErrorAndARefusalIsRemote() {
        Map<String, String> env = new HashMap<>(cloud.environment(home));
        CliRun noRegion = CliRun.run(home, env, "status", "--target", "vertex", "--project", FakeGoogleCloud.PROJECT);
        assertThat(noRegion.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(noRegion.err).startsWith("mldev: --target vertex needs the regions to list");

        cloud.faults()
                .failOnce(
                        "EndpointService/ListEndpoints",
                        dev.mldev.fake.Faults.permissionDenied("aiplatform.endpoints.list", LOCATION));
        CliRun refused = status();
        assertThat(refused.exitCode).as(refused.toString()).isEqualTo(ExitCodes.REMOTE);
        assertThat(refused.err).contains("aiplatform.endpoints.list");
    }

    /** An endpoint in the fake's project and region. */
    static com.google.cloud.aiplatform.v1beta1.Endpoint endpoint(String id, String displayName, DeployedModel model) {
        return VertexBillablesTest.endpoint(id, displayName, model).toBuilder()
                .setName(LOCATION + "/endpoints/" + id)
                .build();
    }

    static TimeSeries series(String metric, String endpointId, String deployedModelId, Point... points) {
        return TimeSeries.newBuilder()
                .setMetric(Metric.newBuilder().setType(metric).putLabels("deployed_model_id", deployedModelId))
                .setResource(MonitoredResource.newBuilder()
                        .setType("aiplatform.googleapis.com/Endpoint")
                        .putLabels("endpoint_id", endpointId)
                        .putLabels("location", FakeGoogleCloud.REGION))
                .addAllPoints(java.util.List.of(points))
                .build();
    }

    static Point point(Instant end, long value) {
        return Point.newBuilder()
                .setInterval(TimeInterval.newBuilder()
                        .setStartTime(Timestamp.newBuilder().setSeconds(end.getEpochSecond() - 60))
                        .setEndTime(Timestamp.newBuilder().setSeconds(end.getEpochSecond())))
                .setValue(TypedValue.newBuilder().setInt64Value(value))
                .build();
    }
}
