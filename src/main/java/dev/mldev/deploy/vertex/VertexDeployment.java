package dev.mldev.deploy.vertex;

import dev.mldev.MldevException;
import dev.mldev.TargetKind;
import dev.mldev.deploy.DeploymentRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What mldev records about a Vertex AI deployment, stored in {@link DeploymentRecord#details()} under these
 * keys (read by status and cost): project, region, bucket, endpoint, endpoint_dns, model, deployed_model_id,
 * artifact_uri, deployment_key, machine_type, gpu, gpu_count, min_replicas, max_replicas, idle_timeout_s,
 * service_account (empty: Vertex AI's default), state
 * ("deploying" while a deploy runs, then "deployed").
 */
public record VertexDeployment(
        String name,
        String bundle,
        String version,
        String project,
        String region,
        String bucket,
        String endpoint,
        String endpointDns,
        String model,
        String deployedModelId,
        String artifactUri,
        String key,
        VertexSpec spec,
        String state,
        Instant createdAt) {

    /**
     * https://DNS/v1beta1/ENDPOINT:predict: a dedicated endpoint takes predictions only on its own host. Null while
     * the endpoint has no DNS name (Vertex AI can leave it empty for a while after creating the endpoint).
     */
    public String predictUrl() {
        if (endpointDns == null || endpointDns.isBlank()) {
            return null;
        }
        String base = endpointDns.startsWith("http://") || endpointDns.startsWith("https://")
                ? endpointDns
                : "https://" + endpointDns;
        return base.replaceAll("/+$", "") + "/v1beta1/" + endpoint + ":predict";
    }

    public DeploymentRecord toRecord() {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("project", project);
        details.put("region", region);
        details.put("bucket", bucket);
        details.put("endpoint", endpoint);
        details.put("endpoint_dns", endpointDns);
        details.put("model", model);
        details.put("deployed_model_id", deployedModelId == null ? "" : deployedModelId);
        details.put("artifact_uri", artifactUri);
        details.put("deployment_key", key);
        details.put("machine_type", spec.machineType());
        details.put("gpu", spec.gpu().map(Accelerator::gcloudName).orElse("none"));
        details.put("gpu_count", String.valueOf(spec.gpuCount()));
        details.put("min_replicas", String.valueOf(spec.minReplicas()));
        details.put("max_replicas", String.valueOf(spec.maxReplicas()));
        details.put(
                "idle_timeout_s",
                spec.idleTimeout() == null
                        ? ""
                        : String.valueOf(spec.idleTimeout().toSeconds()));
        details.put("service_account", spec.serviceAccount() == null ? "" : spec.serviceAccount());
        details.put("state", state);
        return new DeploymentRecord(name, TargetKind.VERTEX, bundle, version, predictUrl(), createdAt, details);
    }

    /** Whether a recorded predict URL names a host ("https:///v1beta1/..." was recorded by older versions). */
    static boolean hasHost(String url) {
        if (url == null || url.isBlank()) {
            return false;
        }
        try {
            String host = java.net.URI.create(url).getHost();
            return host != null && !host.isEmpty();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Where a recorded deployment lives: enough to predict and undeploy. */
    public record Location(
            String name, String project, String region, String bucket, String endpoint, String predictUrl) {}

    public static Location locate(DeploymentRecord record) {
        if (record.target() != TargetKind.VERTEX) {
            throw MldevException.usage(
                    "deployment '" + record.name() + "' is a " + record.target() + " deployment, not vertex",
                    "pass --target " + record.target());
        }
        String project = record.detail("project");
        String region = record.detail("region");
        if (project == null || region == null) {
            throw MldevException.failure(
                    "the record of '" + record.name() + "' lacks its project or region",
                    "deploy it again with 'mldev deploy BUNDLE --target vertex --name " + record.name() + "'");
        }
        return new Location(
                record.name(), project, region, record.detail("bucket"), record.detail("endpoint"), record.url());
    }
}
