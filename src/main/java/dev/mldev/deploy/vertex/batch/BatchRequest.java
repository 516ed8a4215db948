package dev.mldev.deploy.vertex.batch;

import com.google.cloud.aiplatform.v1beta1.BatchDedicatedResources;
import com.google.cloud.aiplatform.v1beta1.BatchPredictionJob;
import com.google.cloud.aiplatform.v1beta1.GcsDestination;
import com.google.cloud.aiplatform.v1beta1.GcsSource;
import com.google.cloud.aiplatform.v1beta1.MachineSpec;
import dev.mldev.Labels;
import java.util.List;

/** The BatchPredictionJob (v1beta1) a {@link BatchSpec} becomes, for the real call and for the dry run alike. */
final class BatchRequest {
    static final String FORMAT = "jsonl";

    private BatchRequest() {}

    static BatchPredictionJob of(
            BatchSpec spec, String displayName, String model, List<String> inputUris, String outputPrefix) {
        MachineSpec.Builder machine =
                MachineSpec.newBuilder().setMachineType(spec.vertex().machineType());
        spec.vertex()
                .gpu()
                .ifPresent(gpu -> machine.setAcceleratorType(gpu.type())
                        .setAcceleratorCount(spec.vertex().gpuCount()));
        return BatchPredictionJob.newBuilder()
                .setDisplayName(displayName)
                .setModel(model)
                .setInputConfig(BatchPredictionJob.InputConfig.newBuilder()
                        .setInstancesFormat(FORMAT)
                        .setGcsSource(GcsSource.newBuilder().addAllUris(inputUris)))
                .setOutputConfig(BatchPredictionJob.OutputConfig.newBuilder()
                        .setPredictionsFormat(FORMAT)
                        .setGcsDestination(GcsDestination.newBuilder().setOutputUriPrefix(outputPrefix)))
                .setDedicatedResources(BatchDedicatedResources.newBuilder()
                        .setMachineSpec(machine)
                        .setStartingReplicaCount(spec.replicas())
                        .setMaxReplicaCount(spec.replicas()))
                .putAllLabels(Labels.of(spec.vertex().name()))
                .build();
    }
}
