package dev.mldev.cost.vertex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.aiplatform.v1beta1.AcceleratorType;
import com.google.cloud.aiplatform.v1beta1.BatchDedicatedResources;
import com.google.cloud.aiplatform.v1beta1.BatchPredictionJob;
import com.google.cloud.aiplatform.v1beta1.CustomJob;
import com.google.cloud.aiplatform.v1beta1.DedicatedResources;
import com.google.cloud.aiplatform.v1beta1.DeployedModel;
import com.google.cloud.aiplatform.v1beta1.Endpoint;
import com.google.cloud.aiplatform.v1beta1.JobState;
import com.google.cloud.aiplatform.v1beta1.MachineSpec;
import com.google.cloud.aiplatform.v1beta1.PipelineJob;
import com.google.cloud.aiplatform.v1beta1.PipelineState;
import com.google.cloud.aiplatform.v1beta1.PipelineTaskDetail;
import com.google.cloud.aiplatform.v1beta1.WorkerPoolSpec;
import com.google.protobuf.util.JsonFormat;
import dev.mldev.DeploymentState;
import dev.mldev.Labels;
import dev.mldev.TargetKind;
import dev.mldev.cost.Billable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Turns what Vertex AI lists (v1beta1 endpoints, pipeline jobs, custom jobs, batch prediction jobs) into {@link Billable}s: every
 * deployed model with its DedicatedResources (machine, accelerators, min/max replicas, ScaleToZeroSpec), and
 * every running job with its machines. Not only mldev's: anything in the project that bills is listed.
 */
public final class VertexBillables {
    /** ScaleToZeroSpec's idle_scaledown_period when unset. */
    static final Duration DEFAULT_IDLE_SCALEDOWN = Duration.ofHours(1);

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private VertexBillables() {}

    /**
     * One billable per deployed model (one for the endpoint itself when nothing is deployed on it).
     *
     * @param facts Cloud Monitoring facts by (endpoint id, deployed model id)
     */
    public static List<Billable> endpoint(
            Endpoint endpoint, String region, BiFunction<String, String, EndpointFacts> facts) {
        String endpointId = lastSegment(endpoint.getName());
        // mldev's own endpoints show under their deployment name, others under their display name
        String endpointName = endpoint.getLabelsOrDefault(
                Labels.NAME, endpoint.getDisplayName().isEmpty() ? endpointId : endpoint.getDisplayName());
        String url =
                endpoint.getDedicatedEndpointDns().isEmpty() ? null : "https://" + endpoint.getDedicatedEndpointDns();
        if (endpoint.getDeployedModelsCount() == 0) {
            return List.of(
                    Billable.builder(endpointName, TargetKind.VERTEX, Billable.Kind.ENDPOINT, DeploymentState.DOWN)
                            .region(region)
                            .replicasNow(0)
                            .build());
        }
        List<Billable> billables = new ArrayList<>();
        for (DeployedModel model : endpoint.getDeployedModelsList()) {
            String name = endpoint.getDeployedModelsCount() == 1
                    ? endpointName
                    : endpointName + "/" + (model.getDisplayName().isEmpty() ? model.getId() : model.getDisplayName());
            EndpointFacts known = facts.apply(endpointId, model.getId());
            billables.add(deployedModel(name, region, url, model, known));
        }
        return billables;
    }

    private static Billable deployedModel(
            String name, String region, String url, DeployedModel model, EndpointFacts facts) {
        Integer replicas = facts.replicas() != null
                ? facts.replicas()
                : model.hasStatus() ? Integer.valueOf(model.getStatus().getAvailableReplicaCount()) : null;
        if (!model.hasDedicatedResources()) {
            // automatic or shared resources: Vertex AI picks the machine, so its price cannot be known here
            int min = model.hasAutomaticResources()
                    ? model.getAutomaticResources().getMinReplicaCount()
                    : 1;
            return Billable.builder(name, TargetKind.VERTEX, Billable.Kind.ENDPOINT, state(replicas, min))
                    .region(region)
                    .replicas(min, model.getAutomaticResources().getMaxReplicaCount())
                    .replicasNow(replicas)
                    .idleSince(facts.lastPrediction())
                    .url(url)
                    .build();
        }
        DedicatedResources resources = model.getDedicatedResources();
        int min = resources.getMinReplicaCount();
        Duration scaleToZero = null;
        if (min == 0) {
            scaleToZero = resources.hasScaleToZeroSpec()
                            && resources.getScaleToZeroSpec().hasIdleScaledownPeriod()
                    ? Duration.ofSeconds(resources
                            .getScaleToZeroSpec()
                            .getIdleScaledownPeriod()
                            .getSeconds())
                    : DEFAULT_IDLE_SCALEDOWN;
        }
        MachineSpec machine = resources.getMachineSpec();
        return Billable.builder(name, TargetKind.VERTEX, Billable.Kind.ENDPOINT, state(replicas, min))
                .region(region)
                .machine(machine.getMachineType(), accelerator(machine), machine.getAcceleratorCount())
                .replicas(min, resources.getMaxReplicaCount())
                .replicasNow(replicas)
                .scaleToZeroIdle(scaleToZero)
                .idleSince(facts.lastPrediction())
                .url(url)
                .build();
    }

    /**
     * A running pipeline job. Its machine comes from the custom job its running task started (Vertex AI picks
     * it); its accelerators from that job, or else from the pipeline spec's container resources.
     *
     * @param customJobs running custom jobs by resource name
     */
    public static Optional<Billable> pipelineJob(PipelineJob job, String region, Map<String, CustomJob> customJobs) {
        if (job.getState() != PipelineState.PIPELINE_STATE_RUNNING) {
            return Optional.empty();
        }
        String name = job.getDisplayName().isEmpty() ? lastSegment(job.getName()) : job.getDisplayName();
        Billable.Builder billable = Billable.builder(
                        name, TargetKind.VERTEX_PIPELINE, Billable.Kind.PIPELINE_JOB, DeploymentState.RUNNING)
                .region(region)
                .replicasNow(1);
        Optional<MachineSpec> machine = mainJobs(job).stream()
                .map(customJobs::get)
                .filter(java.util.Objects::nonNull)
                .flatMap(c -> c.getJobSpec().getWorkerPoolSpecsList().stream())
                .map(WorkerPoolSpec::getMachineSpec)
                .findFirst();
        if (machine.isPresent()) {
            billable.machine(
                    machine.get().getMachineType(),
                    accelerator(machine.get()),
                    machine.get().getAcceleratorCount());
        } else {
            SpecAccelerator fromSpec = specAccelerator(job);
            billable.machine(null, fromSpec.type(), fromSpec.count());
        }
        return Optional.of(billable.build());
    }

    /** A running custom job: one billable per worker pool that has machines. */
    public static List<Billable> customJob(CustomJob job, String region) {
        if (job.getState() != JobState.JOB_STATE_RUNNING) {
            return List.of();
        }
        String name = job.getDisplayName().isEmpty() ? lastSegment(job.getName()) : job.getDisplayName();
        List<WorkerPoolSpec> pools = job.getJobSpec().getWorkerPoolSpecsList().stream()
                .filter(p -> p.getReplicaCount() > 0)
                .toList();
        List<Billable> billables = new ArrayList<>();
        for (int i = 0; i < pools.size(); i++) {
            WorkerPoolSpec pool = pools.get(i);
            MachineSpec machine = pool.getMachineSpec();
            billables.add(Billable.builder(
                            pools.size() == 1 ? name : name + "/pool-" + i,
                            TargetKind.VERTEX,
                            Billable.Kind.CUSTOM_JOB,
                            DeploymentState.RUNNING)
                    .region(region)
                    .machine(machine.getMachineType(), accelerator(machine), machine.getAcceleratorCount())
                    .replicasNow((int) pool.getReplicaCount())
                    .build());
        }
        return billables;
    }

    /** A running batch prediction job: its replicas (starting count while Vertex AI has not said how many run). */
    public static Optional<Billable> batchJob(BatchPredictionJob job, String region) {
        if (job.getState() != JobState.JOB_STATE_RUNNING) {
            return Optional.empty();
        }
        String name = job.getLabelsOrDefault(
                Labels.NAME, job.getDisplayName().isEmpty() ? lastSegment(job.getName()) : job.getDisplayName());
        BatchDedicatedResources resources = job.getDedicatedResources();
        MachineSpec machine = resources.getMachineSpec();
        int replicas = Math.max(1, resources.getStartingReplicaCount());
        return Optional.of(
                Billable.builder(name + " (batch)", TargetKind.VERTEX, Billable.Kind.BATCH_JOB, DeploymentState.RUNNING)
                        .region(region)
                        .machine(
                                machine.getMachineType().isEmpty() ? null : machine.getMachineType(),
                                accelerator(machine),
                                machine.getAcceleratorCount())
                        .replicas(replicas, Math.max(replicas, resources.getMaxReplicaCount()))
                        .replicasNow(replicas)
                        .build());
    }

    /** The custom jobs the pipeline's tasks started, so they are not counted twice. */
    public static Set<String> mainJobs(PipelineJob job) {
        Set<String> names = new java.util.LinkedHashSet<>();
        for (PipelineTaskDetail task : job.getJobDetail().getTaskDetailsList()) {
            String main = task.getExecutorDetail().getContainerDetail().getMainJob();
            if (!main.isEmpty()) {
                names.add(main);
            }
        }
        return names;
    }

    private static DeploymentState state(Integer replicas, int minReplicas) {
        if (replicas != null) {
            return replicas > 0 ? DeploymentState.WARM : DeploymentState.ZERO;
        }
        return minReplicas > 0 ? DeploymentState.WARM : DeploymentState.ZERO;
    }

    private static String accelerator(MachineSpec machine) {
        AcceleratorType type = machine.getAcceleratorType();
        if (machine.getAcceleratorCount() == 0
                || type == AcceleratorType.ACCELERATOR_TYPE_UNSPECIFIED
                || type == AcceleratorType.UNRECOGNIZED) {
            return null;
        }
        return type.name();
    }

    private record SpecAccelerator(String type, int count) {}

    /** The first accelerator a container of the KFP IR asks for: resources.accelerator{resourceType|type, ...}. */
    private static SpecAccelerator specAccelerator(PipelineJob job) {
        try {
            JsonNode spec = MAPPER.readTree(JsonFormat.printer().print(job.getPipelineSpec()));
            for (JsonNode executor : spec.path("deploymentSpec").path("executors")) {
                JsonNode accelerator =
                        executor.path("container").path("resources").path("accelerator");
                String type = accelerator
                        .path("resourceType")
                        .asText(accelerator.path("type").asText(""));
                int count = accelerator
                        .path("resourceCount")
                        .asInt(accelerator.path("count").asInt(0));
                if (!type.isEmpty()) {
                    return new SpecAccelerator(type, Math.max(count, 1));
                }
            }
        } catch (IOException e) {
            // a spec that does not print as JSON names no accelerator we could price
            return new SpecAccelerator(null, 0);
        }
        return new SpecAccelerator(null, 0);
    }

    static String lastSegment(String resourceName) {
        return resourceName.substring(resourceName.lastIndexOf('/') + 1);
    }
}
