package dev.mldev.deploy.vertex;

import com.google.cloud.aiplatform.v1beta1.DedicatedResources;
import com.google.cloud.aiplatform.v1beta1.DeployedModel;
import com.google.cloud.aiplatform.v1beta1.Endpoint;
import com.google.cloud.aiplatform.v1beta1.EnvVar;
import com.google.cloud.aiplatform.v1beta1.MachineSpec;
import com.google.cloud.aiplatform.v1beta1.Model;
import com.google.cloud.aiplatform.v1beta1.ModelContainerSpec;
import com.google.cloud.aiplatform.v1beta1.Port;
import dev.mldev.Labels;
import dev.mldev.bundle.Bundle;
import dev.mldev.bundle.Hashes;
import dev.mldev.serve.ServeOptions;
import java.nio.file.Path;
import java.util.Map;

/**
 * The Vertex AI resources a {@link VertexSpec} becomes, built in one place for both the real calls and the
 * dry-run plan. Everything mldev creates carries the labels managed-by=mldev and mldev-name=NAME; a model also
 * carries mldev-key, a digest of the bundle's files and the serving settings, which makes deploys idempotent.
 */
final class VertexResources {
    static final String KEY_LABEL = "mldev-key";
    static final int CONTAINER_PORT = 8080;
    static final String PREDICT_ROUTE = ServeOptions.DEFAULT_PREDICT_ROUTE;
    static final String HEALTH_ROUTE = "/health";

    private VertexResources() {}

    /** A filter for Vertex's list calls: the resources of this deployment name. */
    static String labelFilter(String name) {
        return "labels." + Labels.MANAGED_BY + "=\"" + Labels.MLDEV + "\" AND labels." + Labels.NAME + "=\"" + name
                + "\"";
    }

    static String modelFilter(String name, String key) {
        return labelFilter(name) + " AND labels." + KEY_LABEL + "=\"" + key + "\"";
    }

    /** 16 hex digits over the bundle's files and every setting that changes what is served. */
    static String deploymentKey(Bundle bundle, VertexSpec spec) {
        StringBuilder text = new StringBuilder();
        for (Path file : bundle.files()) {
            text.append(file)
                    .append(' ')
                    .append(Hashes.sha256(bundle.dir().resolve(file)))
                    .append('\n');
        }
        text.append(spec.image())
                .append('\n')
                .append(spec.machineType())
                .append('\n')
                .append(spec.gpu().map(Accelerator::gcloudName).orElse("none"))
                .append(' ')
                .append(spec.gpuCount())
                .append('\n')
                .append(spec.minReplicas())
                .append(' ')
                .append(spec.maxReplicas())
                .append('\n')
                .append(spec.idleTimeout())
                .append(' ')
                .append(spec.minScaleup());
        if (spec.serviceAccount() != null) {
            text.append('\n').append(spec.serviceAccount());
        }
        return Hashes.sha256(text.toString()).substring(0, 16);
    }

    static Model model(VertexSpec spec, String version, String artifactUri, String key) {
        ModelContainerSpec container = ModelContainerSpec.newBuilder()
                .setImageUri(spec.image())
                .addEnv(EnvVar.newBuilder()
                        .setName("MLDEV_DEVICE")
                        .setValue(spec.gpu().isPresent() ? "cuda" : "cpu"))
                .addPorts(Port.newBuilder().setContainerPort(CONTAINER_PORT))
                .setPredictRoute(PREDICT_ROUTE)
                .setHealthRoute(HEALTH_ROUTE)
                .build();
        return Model.newBuilder()
                .setDisplayName("mldev-" + spec.name() + "-" + version)
                .setDescription("Deployed by mldev from bundle version " + version)
                .setArtifactUri(artifactUri)
                .setContainerSpec(container)
                .putAllLabels(Labels.of(spec.name()))
                .putLabels(KEY_LABEL, key)
                .build();
    }

    static Endpoint endpoint(VertexSpec spec) {
        return Endpoint.newBuilder()
                .setDisplayName("mldev-" + spec.name())
                .setDescription("mldev deployment " + spec.name())
                .setDedicatedEndpointEnabled(true)
                .putAllLabels(Labels.of(spec.name()))
                .build();
    }

    static DeployedModel deployedModel(VertexSpec spec, String modelName, String version) {
        MachineSpec.Builder machine = MachineSpec.newBuilder().setMachineType(spec.machineType());
        spec.gpu().ifPresent(gpu -> machine.setAcceleratorType(gpu.type()).setAcceleratorCount(spec.gpuCount()));
        DedicatedResources.Builder resources = DedicatedResources.newBuilder()
                .setMachineSpec(machine)
                .setMinReplicaCount(spec.minReplicas())
                .setMaxReplicaCount(spec.maxReplicas());
        if (spec.scalesToZero()) {
            resources
                    .setInitialReplicaCount(1)
                    .setScaleToZeroSpec(DedicatedResources.ScaleToZeroSpec.newBuilder()
                            .setIdleScaledownPeriod(protoDuration(spec.idleTimeout()))
                            .setMinScaleupPeriod(protoDuration(spec.minScaleup())));
        }
        DeployedModel.Builder deployed = DeployedModel.newBuilder()
                .setModel(modelName)
                .setDisplayName("mldev-" + spec.name() + "-" + version)
                .setDedicatedResources(resources);
        if (spec.serviceAccount() != null) {
            deployed.setServiceAccount(spec.serviceAccount());
        }
        return deployed.build();
    }

    /** All traffic to the model being deployed ("0" names it in a DeployModel request). */
    static Map<String, Integer> allTrafficToNew() {
        return Map.of("0", 100);
    }

    private static com.google.protobuf.Duration protoDuration(java.time.Duration d) {
        return com.google.protobuf.Duration.newBuilder()
                .setSeconds(d.toSeconds())
                .build();
    }

    /** Bundle versions as Vertex display names and label values take them. */
    static String safeVersion(String version) {
        return version.toLowerCase().replaceAll("[^a-z0-9-]", "-");
    }
}
