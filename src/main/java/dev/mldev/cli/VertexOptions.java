package dev.mldev.cli;

import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.Problems;
import dev.mldev.Progress;
import dev.mldev.bundle.Bundle;
import dev.mldev.bundle.Manifest;
import dev.mldev.deploy.vertex.VertexForecast;
import dev.mldev.cost.Forecast;
import dev.mldev.cost.PriceTables;
import dev.mldev.deploy.pipeline.PipelineTarget;
import dev.mldev.deploy.vertex.DeployPlan;
import dev.mldev.deploy.vertex.VertexDeployer;
import dev.mldev.deploy.vertex.VertexSpec;
import dev.mldev.deploy.vertex.VertexTarget;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** deploy's options for --target vertex and vertex-pipeline, and how their results are printed. */
final class VertexOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--project", paramLabel = "P", description = "vertex: Google Cloud project (default: MLDEV_PROJECT, GOOGLE_CLOUD_PROJECT, CLOUDSDK_CORE_PROJECT, config).")
    String project;

    @Option(names = "--region", paramLabel = "R", description = "vertex: region, e.g. us-central1 (default: MLDEV_REGION, config).")
    String region;

    @Option(names = "--bucket", paramLabel = "B", description = "vertex: Cloud Storage bucket for the bundle (default: MLDEV_BUCKET, config).")
    String bucket;

    @Option(names = "--machine", paramLabel = "TYPE", description = "vertex: machine type (default: the bundle's, g2-standard-4).")
    String machine;

    @Option(names = "--gpu", paramLabel = "GPU", description = "vertex: nvidia-l4, nvidia-tesla-t4, nvidia-tesla-a100, nvidia-a100-80gb, nvidia-h100-80gb, ... or none.")
    String gpu;

    @Option(names = "--gpu-count", paramLabel = "N", description = "vertex: GPUs per replica (default: 1).")
    Integer gpuCount;

    @Option(names = "--min-replicas", paramLabel = "N", description = "vertex: 0 scales to zero when idle (default: 0).")
    Integer minReplicas;

    @Option(names = "--max-replicas", paramLabel = "N", description = "vertex: most replicas under load (default: 1).")
    Integer maxReplicas;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", description = "vertex: idle time before scaling to zero, 5m to 8h (default: the bundle's, 1h).")
    String idleTimeout;

    @Option(names = "--min-scaleup", paramLabel = "DURATION", description = "vertex: least time up after a scale-up, 5m to 8h (default: 1h).")
    String minScaleup;

    @Option(names = "--image", paramLabel = "REF", description = "vertex: the serving image (default: MLDEV_IMAGE, the bundle's).")
    String image;

    @Option(names = "--service-account", paramLabel = "EMAIL", description = "vertex: the service account the model or each pipeline run runs as (default: Vertex AI's; pipelines: the Compute Engine default service account).")
    String serviceAccount;

    @Option(names = "--dry-run", description = "vertex: print each call the deploy would make, with its resources, and the cost forecast; call nothing.")
    boolean dryRun;

    @Option(names = "--requests-per-day", paramLabel = "N", defaultValue = "10",
            description = "vertex: the traffic --dry-run forecasts the daily cost for (default: 10).")
    int requestsPerDay;

    @Option(names = "--prices", paramLabel = "FILE", description = "vertex: price table for the forecast (default: cached or built-in).")
    Path prices;

    /** vertex-pipeline: uploads the bundle and the compiled pipeline; with --dry-run --json the spec is under "pipeline_spec". */
    int deployPipeline(PipelineTarget target, Environment env, Path bundle, String name, boolean json, PrintWriter out,
                       Progress progress) {
        if (dryRun) {
            Manifest manifest = Bundle.open(bundle, env.cacheDir()).manifest();
            ImageChoice image = imageChoice(manifest, env);
            var plan = withEveryProblem(() -> target.plan(bundle, flags(name, image.ref())));
            VertexSpec spec = VertexSpec.check(flags(name, image.ref()), manifest);
            Forecast forecast = VertexForecast.pipeline(PriceTables.load(env, prices), spec, requests());
            if (json) {
                plan.set("forecast", forecast.toJson());
                plan.putObject("image").put("ref", image.ref()).put("from", image.from());
                out.println(plan.toPrettyString());
                return 0;
            }
            out.println(plan.get("plan").asText());
            int n = 1;
            for (var call : plan.get("calls")) {
                out.println(n++ + ". " + call.asText());
            }
            out.println("pipeline spec:");
            out.println(plan.get("pipeline_spec").toPrettyString());
            out.println(image.line());
            printForecast(forecast, out);
            return 0;
        }
        var record = target.deploy(bundle, flags(name), progress);
        if (json) {
            out.println(Json.write(Map.of("name", record.name(), "target", record.target(), "version", record.version(),
                    "spec_uri", record.detail("spec_uri"))));
        } else {
            out.println(record.name() + "  " + record.detail("spec_uri") + "  (on demand: each predict is one pipeline run)");
        }
        return 0;
    }

    /** A dry run's plan; the flags' problems, the plan's and the forecast's, are refused all at once. */
    private <T> T withEveryProblem(Supplier<T> plan) {
        Problems problems = new Problems();
        problems.check(this::requests);
        T planned = problems.check(plan, null);
        problems.throwIfAny();
        return planned;
    }

    private int requests() {
        if (requestsPerDay < 0) {
            throw MldevException.usage("--requests-per-day must be 0 or more", null);
        }
        return requestsPerDay;
    }

    private static void printForecast(Forecast forecast, PrintWriter out) {
        out.println("forecast:");
        forecast.lines().forEach(line -> out.println("  " + line));
    }

    VertexSpec.Flags flags(String name) {
        return flags(name, image);
    }

    private VertexSpec.Flags flags(String name, String imageRef) {
        return new VertexSpec.Flags(name, project, region, bucket, machine, gpu, gpuCount, minReplicas, maxReplicas, idleTimeout,
                minScaleup, imageRef, serviceAccount);
    }

    /** The serving image a deploy would use and where it comes from; for a dry run, which may go without one. */
    private record ImageChoice(String ref, String from) {
        static final String NONE = "(none yet)";

        String line() {
            return "image: " + ref + " (" + from + ")";
        }

        Map<String, String> toJson() {
            return Map.of("ref", ref, "from", from);
        }
    }

    private ImageChoice imageChoice(Manifest manifest, Environment env) {
        if (image != null) {
            boolean flag = command.commandLine().getParseResult().hasMatchedOption("--image");
            return new ImageChoice(image, flag ? "from --image" : env.get("MLDEV_IMAGE").isPresent() ? "from MLDEV_IMAGE"
                    : "from " + ConfigDefaults.configFile(env));
        }
        String recorded = manifest.serving() == null ? null : manifest.serving().image();
        if (recorded != null && !recorded.isBlank()) {
            return new ImageChoice(recorded, "from the bundle's serving.image, recorded by 'mldev image push'");
        }
        return new ImageChoice(ImageChoice.NONE, "a deploy needs one: 'mldev image push REF --bundle BUNDLE' builds and"
                + " records it in the bundle, or pass --image REF");
    }

    /** Deploys (or, with --dry-run, plans) and prints the result like a local deploy: "NAME  URL", or JSON. */
    int deploy(VertexTarget target, Environment env, Path bundle, String name, boolean json, PrintWriter out,
               Progress progress) {
        if (dryRun) {
            ImageChoice image = imageChoice(Bundle.open(bundle, env.cacheDir()).manifest(), env);
            DeployPlan plan = withEveryProblem(() -> target.plan(bundle, flags(name, image.ref())));
            Forecast forecast = VertexForecast.endpoint(PriceTables.load(env, prices), plan.spec(), requests());
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("plan", plan.summary());
                result.put("image", image.toJson());
                result.put("calls", plan.steps().stream().map(s -> List.of(s.call(), s.on(), s.note())).toList());
                result.put("forecast", forecast.toJson());
                out.println(Json.write(result));
            } else {
                out.print(plan.render());
                out.println(image.line());
                printForecast(forecast, out);
            }
            return 0;
        }
        VertexDeployer.Outcome outcome = target.deploy(bundle, flags(name), progress);
        var record = outcome.deployment().toRecord();
        if (json) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("name", record.name());
            result.put("target", record.target());
            result.put("url", record.url());
            result.put("version", record.version());
            result.put("changed", outcome.changed());
            result.put("endpoint", outcome.deployment().endpoint());
            out.println(Json.write(result));
        } else {
            out.println(record.name() + "  " + record.url() + (outcome.changed() ? "" : "  (unchanged)"));
        }
        return 0;
    }
}
