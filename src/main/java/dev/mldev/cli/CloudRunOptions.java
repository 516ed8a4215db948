package dev.mldev.cli;

import dev.mldev.Environment;
import dev.mldev.Json;
import dev.mldev.MldevException;
import dev.mldev.Problems;
import dev.mldev.bundle.Bundle;
import dev.mldev.bundle.Manifest;
import dev.mldev.cost.Forecast;
import dev.mldev.cost.NodePrice;
import dev.mldev.cost.PriceTable;
import dev.mldev.cost.PriceTables;
import dev.mldev.cost.Usd;
import dev.mldev.deploy.cloudrun.CloudRunDeployer;
import dev.mldev.deploy.cloudrun.CloudRunForecast;
import dev.mldev.deploy.cloudrun.CloudRunPlan;
import dev.mldev.deploy.cloudrun.CloudRunSpec;
import dev.mldev.deploy.cloudrun.CloudRunTarget;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * deploy's options for --target cloud-run, and how its results are printed. Project, region, bucket, GPU, image,
 * --dry-run, --requests-per-day and --prices are the ones {@link VertexOptions} declares.
 */
final class CloudRunOptions {
    /** Vertex AI settings with no meaning on Cloud Run: refused rather than silently ignored. */
    private static final List<String> VERTEX_ONLY = List.of(
            "--machine",
            "--gpu-count",
            "--min-replicas",
            "--max-replicas",
            "--idle-timeout",
            "--min-scaleup",
            "--service-account");

    private static final String NO_IMAGE = "(none yet)";

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(
            names = "--max-instances",
            paramLabel = "N",
            description = "cloud-run: most instances (each one GPU), the cost cap (default: 1).")
    Integer maxInstances;

    @Option(
            names = "--public",
            description =
                    "cloud-run: anyone may call the URL (asks first, stating the worst-case cost per hour; --yes without a TTY).")
    boolean publicAccess;

    @Option(
            names = "--zonal-redundancy",
            description = "cloud-run: reserve GPU capacity for zonal failover (costs more; default: off).")
    boolean zonalRedundancy;

    @Option(names = "--yes", description = "cloud-run: confirm --public without asking.")
    boolean yes;

    int deploy(
            VertexOptions shared,
            CloudRunTarget target,
            Environment env,
            Path bundle,
            String name,
            boolean json,
            PrintWriter out,
            PrintWriter err,
            Terminal terminal) {
        Problems problems = new Problems();
        VERTEX_ONLY.stream()
                .filter(o -> command.commandLine().getParseResult().hasMatchedOption(o))
                .forEach(o -> problems.add(MldevException.usage(
                        o + " does not apply to --target cloud-run", "drop it (see 'mldev deploy --help')")));
        if (shared.requestsPerDay < 0) {
            problems.add(MldevException.usage("--requests-per-day must be 0 or more", null));
        }
        if (shared.dryRun) {
            Manifest manifest = Bundle.open(bundle, env.cacheDir()).manifest();
            String recorded =
                    manifest.serving() == null ? null : manifest.serving().image();
            boolean noImage = shared.image == null && (recorded == null || recorded.isBlank());
            CloudRunPlan plan = problems.check(
                    () -> target.plan(bundle, flags(shared, name, noImage ? NO_IMAGE : shared.image)), null);
            problems.throwIfAny();
            Forecast forecast =
                    CloudRunForecast.of(PriceTables.load(env, shared.prices), plan.spec(), shared.requestsPerDay);
            String imageNote = noImage
                    ? "a deploy needs one: 'mldev image push REF --bundle BUNDLE' builds and records it, or pass --image REF"
                    : null;
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("plan", plan.summary());
                result.put("calls", List.of(plan.upload(), plan.call()));
                result.put("service", plan.service());
                if (imageNote != null) {
                    result.put("image_note", imageNote);
                }
                result.put("forecast", forecast.toJson());
                out.println(Json.write(result));
            } else {
                out.print(plan.render());
                if (imageNote != null) {
                    out.println("image: " + NO_IMAGE + " (" + imageNote + ")");
                }
                out.println("forecast:");
                forecast.lines().forEach(line -> out.println("  " + line));
            }
            return ExitCodes.OK;
        }
        CloudRunSpec spec = problems.check(() -> target.check(bundle, flags(shared, name, shared.image)), null);
        problems.throwIfAny();
        if (spec.publicAccess()) {
            confirmPublic(spec, PriceTables.load(env, shared.prices), err, terminal);
        }
        CloudRunDeployer.Outcome outcome =
                target.deploy(bundle, flags(shared, name, shared.image), terminal.progress(err));
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("service", outcome.deployment().service());
        extra.put("public", spec.publicAccess());
        DeployedOutput.print(out, json, outcome.deployment().toRecord(), outcome.changed(), extra);
        return ExitCodes.OK;
    }

    /** --public makes a GPU bill callable by anyone: the worst case per hour is said before anything happens. */
    private void confirmPublic(CloudRunSpec spec, PriceTable prices, PrintWriter err, Terminal terminal) {
        NodePrice instance = CloudRunForecast.instancePrice(prices, spec);
        BigDecimal worst = instance.times(spec.maxInstances());
        String cost = worst == null
                ? "an unknown amount per hour (" + instance.unknown() + ")"
                : "up to " + Usd.perHour(worst) + " (" + spec.maxInstances() + " max instances x "
                        + Usd.perHour(instance.perHour()) + ")";
        String question = "--public: anyone with the URL can start " + spec.serviceId() + " and bill " + cost
                + " to project " + spec.project() + ". Continue?";
        if (yes) {
            err.println("mldev: " + question.replace(" Continue?", "") + " (confirmed by --yes)");
            return;
        }
        if (!terminal.interactive()) {
            throw MldevException.usage(
                    "--public needs confirmation: anyone with the URL could bill " + cost,
                    "add --yes to confirm without a TTY, or drop --public (callers then need an ID token)");
        }
        if (!terminal.confirm(err, question)) {
            throw MldevException.usage("not deployed: --public was not confirmed", null);
        }
    }

    private CloudRunSpec.Flags flags(VertexOptions shared, String name, String image) {
        return new CloudRunSpec.Flags(
                name,
                shared.project,
                shared.region,
                shared.bucket,
                shared.gpu,
                maxInstances,
                publicAccess,
                zonalRedundancy,
                image);
    }
}
