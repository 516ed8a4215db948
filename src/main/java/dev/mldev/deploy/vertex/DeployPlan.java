package dev.mldev.deploy.vertex;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.mldev.bundle.Bundle;
import dev.mldev.cloud.GcsLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a Vertex AI deploy would do, call by call with the resources it would send, for {@code --dry-run}.
 * Built from the same {@link VertexResources} the real deploy sends; making it calls nothing.
 */
public record DeployPlan(String summary, VertexSpec spec, List<Step> steps) {

    /** One call: what it is, on what, when it is skipped, and the message it sends (or null). */
    public record Step(String call, String on, String note, Message body) {}

    public static DeployPlan of(Bundle bundle, VertexSpec spec) {
        String version = VertexResources.safeVersion(bundle.manifest().version());
        String key = VertexResources.deploymentKey(bundle, spec);
        GcsLocation artifacts = GcsLocation.of(spec.bucket(), "mldev/" + spec.name() + "/" + version + "/");
        String location = "projects/" + spec.project() + "/locations/" + spec.region();
        List<Step> steps = new ArrayList<>();
        steps.add(new Step(
                "storage upload",
                artifacts.uri(),
                bundle.files().size() + " files, " + megabytes(bundle)
                        + "; files already there with the same MD5 are skipped",
                null));
        steps.add(new Step(
                "ModelService.UploadModel",
                location,
                "skipped when a model labelled mldev-key=" + key + " exists",
                VertexResources.model(spec, version, artifacts.uri(), key)));
        steps.add(new Step(
                "EndpointService.CreateEndpoint",
                location,
                "skipped when an endpoint labelled mldev-name=" + spec.name() + " exists",
                VertexResources.endpoint(spec)));
        steps.add(new Step(
                "EndpointService.DeployModel",
                "the endpoint",
                "traffic_split {\"0\": 100}: all traffic to this model",
                VertexResources.deployedModel(spec, location + "/models/(new)", version)));
        steps.add(new Step(
                "EndpointService.UndeployModel", "the endpoint", "for each model deployed there before", null));
        String summary = "plan: deploy " + bundle.manifest().name() + " "
                + bundle.manifest().version() + " to Vertex AI as '" + spec.name() + "' in " + location
                + " (dry run: nothing is called)";
        return new DeployPlan(summary, spec, List.copyOf(steps));
    }

    public String render() {
        StringBuilder text = new StringBuilder(summary).append('\n');
        int n = 1;
        for (Step step : steps) {
            text.append(n++)
                    .append(". ")
                    .append(step.call())
                    .append(' ')
                    .append(step.on())
                    .append(" (")
                    .append(step.note())
                    .append(")\n");
            if (step.body() != null) {
                json(step.body())
                        .lines()
                        .forEach(line -> text.append("   ").append(line).append('\n'));
            }
        }
        return text.toString();
    }

    static String json(Message message) {
        try {
            return JsonFormat.printer().print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String megabytes(Bundle bundle) {
        long bytes = 0;
        for (Path file : bundle.files()) {
            try {
                bytes += Files.size(bundle.dir().resolve(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
