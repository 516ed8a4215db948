package dev.mldev.deploy.cloudrun;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mldev.bundle.Bundle;
import dev.mldev.cloud.GcsLocation;

/**
 * What a Cloud Run deploy would do, for {@code --dry-run}: the upload and the service it would create (or update),
 * built by the same {@link CloudRunResources} the real deploy sends; making it calls nothing.
 *
 * @param service the Service the CreateService (or UpdateService) call would send
 */
public record CloudRunPlan(String summary, CloudRunSpec spec, String upload, String call, ObjectNode service) {

    public static CloudRunPlan of(Bundle bundle, CloudRunSpec spec) {
        String version =
                bundle.manifest().version().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        GcsLocation artifacts = GcsLocation.of(spec.bucket(), "mldev/" + spec.name() + "/" + version + "/");
        String key = CloudRunResources.deploymentKey(bundle, spec);
        String location = "projects/" + spec.project() + "/locations/" + spec.region();
        String summary = "plan: deploy " + bundle.manifest().name() + " "
                + bundle.manifest().version() + " to Cloud Run as service "
                + spec.serviceId() + " in " + location
                + (spec.publicAccess() ? ", callable by anyone" : ", callers need an ID token")
                + " (dry run: nothing is called)";
        return new CloudRunPlan(
                summary,
                spec,
                "storage upload " + artifacts.uri() + " (" + bundle.files().size()
                        + " files; files already there with the same MD5 are skipped)",
                "Services.CreateService " + location + " service_id=" + spec.serviceId()
                        + " (UpdateService when it exists with other settings; nothing when it serves this bundle already)",
                CloudRunResources.service(spec, artifacts.uri(), key));
    }

    public String render() {
        StringBuilder text = new StringBuilder(summary).append('\n');
        text.append("1. ").append(upload).append('\n');
        text.append("2. ").append(call).append('\n');
        service.toPrettyString()
                .lines()
                .forEach(line -> text.append("   ").append(line).append('\n'));
        return text.toString();
    }
}
