package dev.mldev.deploy.vertex;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mldev.MldevException;
import dev.mldev.Problems;
import dev.mldev.bundle.Manifest;
import dev.mldev.cost.Forecast;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A deploy's {@code --dry-run} on Vertex AI: the serving image it would use, each call it would make and the cost
 * forecast, checked like a real deploy but calling nothing. {@link VertexTarget#dryRun} and
 * {@code PipelineTarget.dryRun} make one; the CLI renders it.
 */
public final class DryRun {
    private DryRun() {}

    /**
     * @param flags          the deploy's flags; {@code image} is the one asked for, or null
     * @param imageFrom      where the image asked for came from ("from --image", ...), when one was
     * @param prices         a price table file for the forecast, or null for the cached or built-in one
     * @param requestsPerDay the traffic to forecast the daily cost for
     */
    public record Request(Path bundle, VertexSpec.Flags flags, String imageFrom, Path prices, int requestsPerDay) {
        /** The flags with the image the dry run settled on. */
        public VertexSpec.Flags flagsWith(String imageRef) {
            VertexSpec.Flags f = flags;
            return new VertexSpec.Flags(
                    f.name(),
                    f.project(),
                    f.region(),
                    f.bucket(),
                    f.machineType(),
                    f.gpu(),
                    f.gpuCount(),
                    f.minReplicas(),
                    f.maxReplicas(),
                    f.idleTimeout(),
                    f.minScaleup(),
                    imageRef,
                    f.serviceAccount());
        }
    }

    /** The serving image a deploy would use and where it comes from; a dry run may go without one. */
    public record ServingImage(String ref, String from) {
        static final String NONE = "(none yet)";

        public String line() {
            return "image: " + ref + " (" + from + ")";
        }
    }

    /** A dedicated endpoint's dry run. */
    public record Endpoint(DeployPlan plan, ServingImage image, Forecast forecast) {}

    /** A pipeline's dry run; {@code plan} holds "plan", "calls", "service_account" and the compiled "pipeline_spec". */
    public record Pipeline(ObjectNode plan, ServingImage image, Forecast forecast) {}

    public static ServingImage image(Request request, Manifest manifest) {
        String asked = request.flags().image();
        if (asked != null) {
            return new ServingImage(asked, request.imageFrom());
        }
        String recorded = manifest.serving() == null ? null : manifest.serving().image();
        if (recorded != null && !recorded.isBlank()) {
            return new ServingImage(recorded, "from the bundle's serving.image, recorded by 'mldev image push'");
        }
        return new ServingImage(
                ServingImage.NONE,
                "a deploy needs one: 'mldev image push REF --bundle BUNDLE' builds and"
                        + " records it in the bundle, or pass --image REF");
    }

    /** The plan; the request's problems, the plan's and the forecast's, are refused all at once. */
    public static <T> T withEveryProblem(Request request, Supplier<T> plan) {
        Problems problems = new Problems();
        problems.check(() -> requests(request));
        T planned = problems.check(plan, null);
        problems.throwIfAny();
        return planned;
    }

    public static int requests(Request request) {
        if (request.requestsPerDay() < 0) {
            throw MldevException.usage("--requests-per-day must be 0 or more", null);
        }
        return request.requestsPerDay();
    }
}
