package dev.mldev.deploy.cloudrun;

import dev.mldev.MldevException;
import dev.mldev.TargetKind;
import dev.mldev.deploy.DeploymentRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Cloud Run deployment as mldev records it: where the service is, its URL, where the bundle was uploaded, and the
 * key of the settings it runs with.
 */
public record CloudRunDeployment(
        String name,
        String bundle,
        String version,
        String project,
        String region,
        String bucket,
        String service,
        String url,
        String artifactUri,
        String key,
        boolean publicAccess,
        int maxInstances,
        String state,
        Instant createdAt) {

    public DeploymentRecord toRecord() {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("project", project);
        details.put("region", region);
        details.put("bucket", bucket);
        details.put("service", service);
        details.put("artifact_uri", artifactUri);
        details.put("key", key);
        details.put("public", String.valueOf(publicAccess));
        details.put("max_instances", String.valueOf(maxInstances));
        details.put("state", state);
        return new DeploymentRecord(name, TargetKind.CLOUD_RUN, bundle, version, url, createdAt, details);
    }

    /** Where a recorded deployment lives; exit 1 when its record lacks the service. */
    public record Location(
            String name,
            String project,
            String region,
            String bucket,
            String service,
            String url,
            String artifactUri,
            boolean publicAccess) {}

    public static Location locate(DeploymentRecord record) {
        String service = record.detail("service");
        if (service == null || record.detail("project") == null || record.detail("region") == null) {
            throw MldevException.failure(
                    "the record of '" + record.name() + "' names no Cloud Run service",
                    "deploy it again with --target cloud-run, or remove it with 'mldev undeploy " + record.name()
                            + "'");
        }
        return new Location(
                record.name(),
                record.detail("project"),
                record.detail("region"),
                record.detail("bucket"),
                service,
                record.url(),
                record.detail("artifact_uri"),
                Boolean.parseBoolean(record.detail("public")));
    }
}
