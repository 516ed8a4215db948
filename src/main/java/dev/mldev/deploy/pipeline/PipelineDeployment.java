package dev.mldev.deploy.pipeline;

import dev.mldev.MldevException;
import dev.mldev.TargetKind;
import dev.mldev.deploy.DeploymentRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What mldev records about a vertex-pipeline deployment, in {@link DeploymentRecord#details()}: project,
 * region, bucket, bundle_uri, spec_uri, image, machine_type, gpu, gpu_count, service_account (empty: the Compute
 * Engine default service account, which Vertex AI Pipelines runs as otherwise). The compiled spec is kept
 * beside the record (pipeline.json in its work directory) and in Cloud Storage.
 */
public record PipelineDeployment(
        String name,
        String bundle,
        String version,
        String project,
        String region,
        String bucket,
        String bundleUri,
        String specUri,
        String image,
        String machineType,
        String gpu,
        int gpuCount,
        String serviceAccount,
        Instant createdAt) {

    public DeploymentRecord toRecord() {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("project", project);
        details.put("region", region);
        details.put("bucket", bucket);
        details.put("bundle_uri", bundleUri);
        details.put("spec_uri", specUri);
        details.put("image", image);
        details.put("machine_type", machineType);
        details.put("gpu", gpu);
        details.put("gpu_count", String.valueOf(gpuCount));
        details.put("service_account", serviceAccount == null ? "" : serviceAccount);
        return new DeploymentRecord(name, TargetKind.VERTEX_PIPELINE, bundle, version, null, createdAt, details);
    }

    public static PipelineDeployment from(DeploymentRecord record) {
        if (record.target() != TargetKind.VERTEX_PIPELINE) {
            throw MldevException.usage(
                    "deployment '" + record.name() + "' is a " + record.target() + " deployment", null);
        }
        return new PipelineDeployment(
                record.name(),
                record.bundle(),
                record.version(),
                record.detail("project"),
                record.detail("region"),
                record.detail("bucket"),
                record.detail("bundle_uri"),
                record.detail("spec_uri"),
                record.detail("image"),
                record.detail("machine_type"),
                record.detail("gpu"),
                Integer.parseInt(record.details().getOrDefault("gpu_count", "0")),
                record.details().getOrDefault("service_account", "").isEmpty()
                        ? null
                        : record.detail("service_account"),
                record.createdAt());
    }
}
