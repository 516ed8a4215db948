package dev.mldev.cost.vertex;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.aiplatform.v1beta1.AcceleratorType;
import com.google.cloud.aiplatform.v1beta1.ContainerSpec;
import com.google.cloud.aiplatform.v1beta1.CustomJob;
import com.google.cloud.aiplatform.v1beta1.CustomJobSpec;
import com.google.cloud.aiplatform.v1beta1.DedicatedResources;
import com.google.cloud.aiplatform.v1beta1.DeployedModel;
import com.google.cloud.aiplatform.v1beta1.Endpoint;
import com.google.cloud.aiplatform.v1beta1.JobState;
import com.google.cloud.aiplatform.v1beta1.MachineSpec;
import com.google.cloud.aiplatform.v1beta1.PipelineJob;
import com.google.cloud.aiplatform.v1beta1.PipelineJobDetail;
import com.google.cloud.aiplatform.v1beta1.PipelineState;
import com.google.cloud.aiplatform.v1beta1.PipelineTaskDetail;
import com.google.cloud.aiplatform.v1beta1.PipelineTaskExecutorDetail;
import com.google.cloud.aiplatform.v1beta1.WorkerPoolSpec;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.mldev.DeploymentState;
import dev.mldev.cost.Billable;
import dev.mldev.cost.IdleCostRow;
import dev.mldev.cost.IdleCosts;
import dev.mldev.cost.PriceTables;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Vertex AI resources as the API returns them, turned into billables and priced with the built-in table. */
class VertexBillablesTest {
    private static final String LOCATION = "projects/p/locations/us-central1";
    private final IdleCosts costs = new IdleCosts(PriceTables.builtIn(), Clock.systemUTC());

    static MachineSpec l4() {
        return MachineSpec.newBuilder()
                .setMachineType("g2-standard-8")
                .setAcceleratorType(AcceleratorType.NVIDIA_L4)
                .setAcceleratorCount(1)
                .build();
    }

    static Endpoint endpoint(String id, String displayName, DeployedModel... models) {
        return Endpoint.newBuilder()
                .setName(LOCATION + "/endpoints/" + id)
                .setDisplayName(displayName)
                .addAllDeployedModels(List.of(models))
                .build();
    }

    static DeployedModel deployed(String id, int min, int max, Duration idle) {
        DedicatedResources.Builder resources = DedicatedResources.newBuilder()
                .setMachineSpec(l4())
                .setMinReplicaCount(min)
                .setMaxReplicaCount(max);
        if (idle != null) {
            resources.setScaleToZeroSpec(DedicatedResources.ScaleToZeroSpec.newBuilder()
                    .setIdleScaledownPeriod(
                            com.google.protobuf.Duration.newBuilder().setSeconds(idle.toSeconds()))
                    .setMinScaleupPeriod(
                            com.google.protobuf.Duration.newBuilder().setSeconds(3600)));
        }
        return DeployedModel.newBuilder()
                .setId(id)
                .setDisplayName("model-" + id)
                .setDedicatedResources(resources)
                .build();
    }

    @Test
    void endpointWithMinReplicasOneBillsIdle() {
        Instant last = Instant.parse("2026-11-28T08:00:00Z");
        List<Billable> billables = VertexBillables.endpoint(
                endpoint("111", "always-on", deployed("9", 1, 2, null)),
                "us-central1",
                (e, d) -> e.equals("111") && d.equals("9") ? new EndpointFacts(1, last) : EndpointFacts.NONE);
        assertThat(billables).hasSize(1);
        Billable b = billables.get(0);
        assertThat(b.name()).isEqualTo("always-on");
        assertThat(b.state()).isEqualTo(DeploymentState.WARM);
        assertThat(b.replicasNow()).isEqualTo(1);
        assertThat(b.idleSince()).isEqualTo(last);
        assertThat(b.acceleratorType()).isEqualTo("NVIDIA_L4");
        IdleCostRow row = costs.row(b);
        // built-in us-central1: (g2-standard-8 0.293059 + L4 0.5599) x 1.15 = 0.98090285
        assertThat(row.idleCostPerHour()).isEqualByComparingTo("0.98090285");
        assertThat(row.reason()).isEqualTo("min replicas 1: never scales to zero");
    }

    @Test
    void scaleToZeroEndpointAtZeroBillsNothing() {
        Billable b = VertexBillables.endpoint(
                        endpoint("222", "sleepy", deployed("8", 0, 1, Duration.ofMinutes(30))),
                        "us-central1",
                        (e, d) -> new EndpointFacts(0, null))
                .get(0);
        assertThat(b.state()).isEqualTo(DeploymentState.ZERO);
        assertThat(b.scaleToZeroIdle()).isEqualTo(Duration.ofMinutes(30));
        assertThat(costs.row(b).idleCostPerHour()).isEqualByComparingTo("0");
        assertThat(costs.row(b).reason()).isEqualTo("scale-to-zero after 30m idle");
    }

    @Test
    void mldevEndpointsShowUnderTheirDeploymentNameWithTheirUrl() {
        Endpoint ours = endpoint("666", "mldev-ocr", deployed("5", 0, 1, null)).toBuilder()
                .putLabels("mldev-name", "ocr")
                .setDedicatedEndpointDns("666.us-central1-1.prediction.vertexai.goog")
                .build();
        Billable b = VertexBillables.endpoint(ours, "us-central1", (e, d) -> EndpointFacts.NONE)
                .get(0);
        assertThat(b.name()).isEqualTo("ocr");
        assertThat(b.url()).isEqualTo("https://666.us-central1-1.prediction.vertexai.goog");
    }

    @Test
    void withoutMonitoringTheStatusReplicasAndMinReplicasDecide() {
        Billable b = VertexBillables.endpoint(
                        endpoint("333", "", deployed("7", 0, 1, null)), "us-central1", (e, d) -> EndpointFacts.NONE)
                .get(0);
        assertThat(b.name()).isEqualTo("333");
        assertThat(b.state()).isEqualTo(DeploymentState.ZERO);
        assertThat(b.replicasNow()).isNull();
        assertThat(b.scaleToZeroIdle()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void endpointWithoutModelsIsDownAndSeveralModelsAreNamedApart() {
        assertThat(VertexBillables.endpoint(endpoint("444", "empty"), "us-central1", (e, d) -> EndpointFacts.NONE))
                .singleElement()
                .satisfies(b -> assertThat(b.state()).isEqualTo(DeploymentState.DOWN));
        assertThat(VertexBillables.endpoint(
                        endpoint("555", "split", deployed("1", 1, 1, null), deployed("2", 0, 1, null)),
                        "us-central1",
                        (e, d) -> EndpointFacts.NONE))
                .extracting(Billable::name)
                .containsExactly("split/model-1", "split/model-2");
    }

    @Test
    void runningPipelineTakesItsMachineFromTheCustomJobItStarted() {
        String jobName = LOCATION + "/customJobs/77";
        CustomJob custom = customJob(jobName, "pipeline-task", JobState.JOB_STATE_RUNNING);
        PipelineJob pipeline = PipelineJob.newBuilder()
                .setName(LOCATION + "/pipelineJobs/ocr-42")
                .setDisplayName("ocr-42")
                .setState(PipelineState.PIPELINE_STATE_RUNNING)
                .setJobDetail(PipelineJobDetail.newBuilder()
                        .addTaskDetails(PipelineTaskDetail.newBuilder()
                                .setExecutorDetail(PipelineTaskExecutorDetail.newBuilder()
                                        .setContainerDetail(PipelineTaskExecutorDetail.ContainerDetail.newBuilder()
                                                .setMainJob(jobName)))))
                .build();
        Billable b = VertexBillables.pipelineJob(pipeline, "us-central1", Map.of(jobName, custom))
                .orElseThrow();
        assertThat(b.kind()).isEqualTo(Billable.Kind.PIPELINE_JOB);
        assertThat(b.machineType()).isEqualTo("g2-standard-8");
        IdleCostRow row = costs.row(b);
        assertThat(row.reason()).isEqualTo("pipeline job running on 1 x NVIDIA_L4");
        assertThat(row.idleCostPerHour()).isEqualByComparingTo("0.98090285");
        assertThat(VertexBillables.mainJobs(pipeline)).containsExactly(jobName);
    }

    @Test
    void runningPipelineWithoutItsJobTakesTheAcceleratorFromTheSpecAndAnUnknownMachine() throws Exception {
        Struct.Builder spec = Struct.newBuilder();
        JsonFormat.parser().merge("""
                {"schemaVersion": "2.1.0", "deploymentSpec": {"executors": {"exec-predict": {"container": {
                  "image": "x", "resources": {"accelerator": {"resourceType": "NVIDIA_TESLA_T4",
                  "resourceCount": "1", "type": "NVIDIA_TESLA_T4", "count": "1"}}}}}}}
                """, spec);
        PipelineJob pipeline = PipelineJob.newBuilder()
                .setName(LOCATION + "/pipelineJobs/p1")
                .setState(PipelineState.PIPELINE_STATE_RUNNING)
                .setPipelineSpec(spec)
                .build();
        Billable b =
                VertexBillables.pipelineJob(pipeline, "us-central1", Map.of()).orElseThrow();
        assertThat(b.name()).isEqualTo("p1");
        assertThat(b.acceleratorType()).isEqualTo("NVIDIA_TESLA_T4");
        IdleCostRow row = costs.row(b);
        assertThat(row.idleCostPerHour()).isNull();
        assertThat(row.reason())
                .isEqualTo("pipeline job running on 1 x NVIDIA_TESLA_T4; price unknown: machine type unknown");
    }

    @Test
    void finishedJobsAreNotListed() {
        assertThat(VertexBillables.pipelineJob(
                        PipelineJob.newBuilder()
                                .setName("x/pipelineJobs/done")
                                .setState(PipelineState.PIPELINE_STATE_SUCCEEDED)
                                .build(),
                        "us-central1",
                        Map.of()))
                .isEmpty();
        assertThat(VertexBillables.customJob(
                        customJob("x/customJobs/1", "old", JobState.JOB_STATE_SUCCEEDED), "us-central1"))
                .isEmpty();
    }

    @Test
    void runningCustomJobBillsEachReplica() {
        CustomJob job = CustomJob.newBuilder()
                .setName(LOCATION + "/customJobs/5")
                .setDisplayName("train")
                .setState(JobState.JOB_STATE_RUNNING)
                .setJobSpec(CustomJobSpec.newBuilder()
                        .addWorkerPoolSpecs(WorkerPoolSpec.newBuilder()
                                .setMachineSpec(MachineSpec.newBuilder()
                                        .setMachineType("n1-standard-4")
                                        .setAcceleratorType(AcceleratorType.NVIDIA_TESLA_T4)
                                        .setAcceleratorCount(2))
                                .setReplicaCount(3)
                                .setContainerSpec(ContainerSpec.newBuilder().setImageUri("x"))))
                .build();
        Billable b = VertexBillables.customJob(job, "us-central1").get(0);
        assertThat(b.replicasNow()).isEqualTo(3);
        // (n1-standard-4 0.189999 + 2 x T4 0.35) x 1.15 = 1.02349885 per node, 3 nodes = 3.07049655
        assertThat(costs.row(b).idleCostPerHour()).isEqualByComparingTo("3.07049655");
        assertThat(costs.row(b).reason()).isEqualTo("custom job running on 3 nodes of 2 x NVIDIA_TESLA_T4");
    }

    static CustomJob customJob(String name, String displayName, JobState state) {
        return CustomJob.newBuilder()
                .setName(name)
                .setDisplayName(displayName)
                .setState(state)
                .setJobSpec(CustomJobSpec.newBuilder()
                        .addWorkerPoolSpecs(WorkerPoolSpec.newBuilder()
                                .setMachineSpec(l4())
                                .setReplicaCount(1)
                                .setContainerSpec(ContainerSpec.newBuilder().setImageUri("x"))))
                .build();
    }
}
