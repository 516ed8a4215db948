package dev.mldev.deploy;

import dev.mldev.TargetKind;
import java.time.Instant;
import java.util.Map;

/**
 * What mldev remembers about one deployment, stored as JSON under the state directory so later commands
 * (predict, status, undeploy) can find it by name.
 *
 * @param url     where predictions go (local server, dedicated endpoint), or null
 * @param details target-specific facts (pid and port, project/region/endpoint id, bucket, ...)
 */
public record DeploymentRecord(
        String name,
        TargetKind target,
        String bundle,
        String version,
        String url,
        Instant createdAt,
        Map<String, String> details) {

    public String detail(String key) {
        return details == null ? null : details.get(key);
    }
}
