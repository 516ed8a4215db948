package dev.mldev.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mldev.Environment;
import dev.mldev.Json;
import dev.mldev.Progress;
import dev.mldev.cost.Forecast;
import dev.mldev.deploy.pipeline.PipelineTarget;
import dev.mldev.deploy.vertex.DryRun;
import dev.mldev.deploy.vertex.VertexDeployer;
import dev.mldev.deploy.vertex.VertexSpec;
import dev.mldev.deploy.vertex.VertexTarget;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** deploy's options for --target vertex and vertex-pipeline, and how their results are printed. */
final class VertexOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(
            names = "--project",
            paramLabel = "P",
            description =
                    "vertex: Google Cloud project (default: MLDEV_PROJECT, GOOGLE_CLOUD_PROJECT, CLOUDSDK_CORE_PROJECT, config).")
    String project;

    @Option(
            names = "--region",
            paramLabel = "R",
            description = "vertex: region, e.g. us-central1 (default: MLDEV_REGION, config).")
    String region;

    @Option(
            names = "--bucket",
            paramLabel = "B",
            description = "vertex: Cloud Storage bucket for the bundle (default: MLDEV_BUCKET, config).")
    String bucket;

    @Option(
            names = "--machine",
            paramLabel = "TYPE",
            description = "vertex: machine type (default: the bundle's, g2-standard-4).")
    String machine;

    @Option(
            names = "--gpu",
            paramLabel = "GPU",
            description =
                    "vertex: nvidia-l4, nvidia-tesla-t4, nvidia-tesla-a100, nvidia-a100-80gb, nvidia-h100-80gb, ... or none.")
    String gpu;

    @Option(names = "--gpu-count", paramLabel = "N", description = "vertex: GPUs per replica (default: 1).")
    Integer gpuCount;

    @Option(
            names = "--min-replicas",
            paramLabel = "N",
            description = "vertex: 0 scales to zero when idle (default: 0).")
    Integer minReplicas;

    @Option(names = "--max-replicas", paramLabel = "N", description = "vertex: most replicas under load (default: 1).")
    Integer maxReplicas;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            description = "vertex: idle time before scaling to zero, 5m to 8h (default: the bundle's, 1h).")
    String idleTimeout;

    @Option(
            names = "--min-scaleup",
            paramLabel = "DURATION",
            description = "vertex: least time up after a scale-up, 5m to 8h (default: 1h).")
    String minScaleup;

    @Option(
            names = "--image",
            paramLabel = "REF",
            description = "vertex: the serving image (default: MLDEV_IMAGE, the bundle's).")
    String image;

    @Option(
            names = "--service-account",
            paramLabel = "EMAIL",
            description =
                    "vertex: the service account the model or each pipeline run runs as (default: Vertex AI's; pipelines: the Compute Engine default service account).")
    String serviceAccount;

    @Option(
            names = "--dry-run",
            description =
                    "vertex: print each call the deploy would make, with its resources, and the cost forecast; call nothing.")
    boolean dryRun;

    @Option(
            names = "--requests-per-day",
            paramLabel = "N",
            defaultValue = "10",
            description = "vertex: the traffic --dry-run forecasts the daily cost for (default: 10).")
    int requestsPerDay;

    @Option(
            names = "--prices",
            paramLabel = "FILE",
            description = "vertex: price table for the forecast (default: cached or built-in).")
    Path prices;

    /** vertex-pipeline: uploads the bundle and the compiled pipeline; with --dry-run --json the spec is under "pipeline_spec". */
    int deployPipeline(
            PipelineTarget target,
            Environment env,
            Path bundle,
            String name,
            boolean json,
            PrintWriter out,
            Progress progress) {
        if (dryRun) {
            DryRun.Pipeline dry = target.dryRun(dryRunRequest(env, bundle, name));
            ObjectNode plan = dry.plan();
            if (json) {
                plan.set("forecast", dry.forecast().toJson());
                plan.putObject("image")
                        .put("ref", dry.image().ref())
                        .put("from", dry.image().from());
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
            out.println(dry.image().line());
            printForecast(dry.forecast(), out);
            return 0;
        }
        var record = target.deploy(bundle, flags(name), progress);
        if (json) {
            out.println(Json.write(Map.of(
                    "name",
                    record.name(),
                    "target",
                    record.target(),
                    "version",
                    record.version(),
                    "spec_uri",
                    record.detail("spec_uri"))));
        } else {
            out.println(record.name() + "  " + record.detail("spec_uri")
                    + "  (on demand: each predict is one pipeline run)");
        }
        return 0;
    }

    private static void printForecast(Forecast forecast, PrintWriter out) {
        out.println("forecast:");
        forecast.lines().forEach(line -> out.println("  " + line));
    }

    VertexSpec.Flags flags(String name) {
        return new VertexSpec.Flags(
                name,
                project,
                region,
                bucket,
                machine,
                gpu,
                gpuCount,
                minReplicas,
                maxReplicas,
                idleTimeout,
                minScaleup,
                image,
                serviceAccount);
    }

    private DryRun.Request dryRunRequest(Environment env, Path bundle, String name) {
        return new DryRun.Request(bundle, flags(name), imageFrom(env), prices, requestsPerDay);
    }

    /** Where --image's value came from: the flag, MLDEV_IMAGE or the config file (defaults fill in the flag). */
    private String imageFrom(Environment env) {
        if (image == null) {
            return null;
        }
        boolean flag = command.commandLine().getParseResult().hasMatchedOption("--image");
        return flag
                ? "from --image"
                : env.get("MLDEV_IMAGE").isPresent() ? "from MLDEV_IMAGE" : "from " + ConfigDefaults.configFile(env);
    }

    /** Deploys (or, with --dry-run, plans) and prints the result like a local deploy: "NAME  URL", or JSON. */
    int deploy(
            VertexTarget target,
            Environment env,
            Path bundle,
            String name,
            boolean json,
            PrintWriter out,
            Progress progress) {
        if (dryRun) {
            DryRun.Endpoint dry = target.dryRun(dryRunRequest(env, bundle, name));
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("plan", dry.plan().summary());
                result.put(
                        "image",
                        Map.of("ref", dry.image().ref(), "from", dry.image().from()));
                result.put(
                        "calls",
                        dry.plan().steps().stream()
                                .map(s -> List.of(s.call(), s.on(), s.note()))
                                .toList());
                result.put("forecast", dry.forecast().toJson());
                out.println(Json.write(result));
            } else {
                out.print(dry.plan().render());
                out.println(dry.image().line());
                printForecast(dry.forecast(), out);
            }
            return 0;
        }
        VertexDeployer.Outcome outcome = target.deploy(bundle, flags(name), progress);
        DeployedOutput.print(
                out,
                json,
                outcome.deployment().toRecord(),
                outcome.changed(),
                Map.of("endpoint", outcome.deployment().endpoint()));
        return 0;
    }
}
