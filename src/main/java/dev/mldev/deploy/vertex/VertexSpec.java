package dev.mldev.deploy.vertex;

import dev.mldev.MldevException;
import dev.mldev.Problems;
import dev.mldev.bundle.Manifest;
import dev.mldev.bundle.Serving;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.GcsLocation;
import dev.mldev.deploy.DeploymentName;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A checked Vertex AI deployment: every flag resolved against the bundle's serving defaults and validated
 * before any call (exit 2 with every problem found). Scale-to-zero (min 0 replicas) takes the idle timeout and the
 * minimum scale-up period, each 5 minutes to 8 hours. The service account (null: Vertex AI's default, for pipelines
 * the Compute Engine default service account) is what the serving container or pipeline runs as.
 */
public record VertexSpec(
        String name,
        String project,
        String region,
        String bucket,
        String machineType,
        Optional<Accelerator> gpu,
        int gpuCount,
        int minReplicas,
        int maxReplicas,
        Duration idleTimeout,
        Duration minScaleup,
        String image,
        String serviceAccount) {

    static final Duration SCALE_TO_ZERO_MIN = Duration.ofMinutes(5);
    static final Duration SCALE_TO_ZERO_MAX = Duration.ofHours(8);
    private static final Pattern SERVICE_ACCOUNT =
            Pattern.compile("[a-z0-9][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*\\.gserviceaccount\\.com");

    /** The flags as given; null means "not given". */
    public record Flags(
            String name,
            String project,
            String region,
            String bucket,
            String machineType,
            String gpu,
            Integer gpuCount,
            Integer minReplicas,
            Integer maxReplicas,
            String idleTimeout,
            String minScaleup,
            String image,
            String serviceAccount) {}

    /** Runs every check, and refuses with all the problems found, not the first alone. */
    public static VertexSpec check(Flags flags, Manifest manifest) {
        Problems problems = new Problems();
        Serving defaults = manifest.serving() == null ? Serving.defaults() : manifest.serving();
        String name = problems.check(() -> DeploymentName.choose(flags.name(), manifest.name()), null);
        problems.check(() -> CloudContext.checkProjectAndRegion(flags.project(), flags.region()));
        problems.check(() -> GcsLocation.checkBucket(flags.bucket()));
        String machine = first(flags.machineType(), defaults.machineType(), "g2-standard-4");
        Optional<Accelerator> gpu =
                problems.check(() -> Accelerator.parse(first(flags.gpu(), defaults.gpu(), "nvidia-l4")), null);
        int gpuCount = flags.gpuCount() != null ? flags.gpuCount() : defaults.gpuCount() > 0 ? defaults.gpuCount() : 1;
        if (gpu != null && gpu.isPresent()) {
            problems.check(() -> gpu.get().checkFits(machine, gpuCount));
        } else if (gpu != null) {
            problems.check(() -> Accelerator.checkCpuOnly(machine));
        }
        int min = flags.minReplicas() != null ? flags.minReplicas() : 0;
        int max = flags.maxReplicas() != null ? flags.maxReplicas() : Math.max(1, min);
        if (min < 0) {
            problems.add(
                    MldevException.usage("--min-replicas " + min + " is negative", "pass 0 (scale to zero) or more"));
        } else if (max < Math.max(1, min)) {
            problems.add(MldevException.usage(
                    "--max-replicas " + max + " is below " + Math.max(1, min),
                    "pass --max-replicas of at least 1 and at least --min-replicas"));
        }
        Duration idle = null;
        Duration scaleup = null;
        if (min == 0) {
            idle = problems.check(
                    () -> DurationFlag.parseWithin(
                            "--idle-timeout",
                            first(flags.idleTimeout(), defaults.idleTimeout(), "1h"),
                            SCALE_TO_ZERO_MIN,
                            SCALE_TO_ZERO_MAX),
                    null);
            scaleup = problems.check(
                    () -> DurationFlag.parseWithin(
                            "--min-scaleup",
                            first(flags.minScaleup(), null, "1h"),
                            SCALE_TO_ZERO_MIN,
                            SCALE_TO_ZERO_MAX),
                    null);
        } else if (flags.idleTimeout() != null || flags.minScaleup() != null) {
            problems.add(MldevException.usage(
                    "--idle-timeout and --min-scaleup apply only to scale-to-zero (--min-replicas 0)",
                    "drop them, or pass --min-replicas 0"));
        }
        String image = first(flags.image(), defaults.image(), null);
        if (image == null || image.isBlank()) {
            problems.add(MldevException.usage(
                    "no serving image for " + name,
                    "pass --image REF, or push one with 'mldev image push' (it records the image in the bundle)"));
        }
        String serviceAccount = flags.serviceAccount();
        if (serviceAccount != null && !SERVICE_ACCOUNT.matcher(serviceAccount).matches()) {
            problems.add(MldevException.usage(
                    "--service-account '" + serviceAccount + "' is not a service account's email",
                    "pass one like mldev-runner@" + flags.project()
                            + ".iam.gserviceaccount.com (gcloud iam service-accounts list)"));
        }
        problems.throwIfAny();
        return new VertexSpec(
                name,
                flags.project(),
                flags.region(),
                flags.bucket().replaceFirst("^gs://", "").replaceAll("/+$", ""),
                machine,
                gpu,
                gpu.isPresent() ? gpuCount : 0,
                min,
                max,
                idle,
                scaleup,
                image,
                serviceAccount);
    }

    public boolean scalesToZero() {
        return minReplicas == 0;
    }

    /** The flag when given (even empty, which the checks then refuse), else the bundle's default, else the fallback. */
    private static String first(String flag, String b, String fallback) {
        if (flag != null) {
            return flag;
        }
        return b != null && !b.isBlank() ? b : fallback;
    }
}
