package dev.mldev.deploy.cloudrun;

import dev.mldev.MldevException;
import dev.mldev.Problems;
import dev.mldev.bundle.Manifest;
import dev.mldev.bundle.Serving;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.GcsLocation;
import dev.mldev.cost.cloudrun.CloudRunRegions;
import dev.mldev.deploy.DeploymentName;

/**
 * A checked Cloud Run GPU service: every flag validated before any call, all problems reported at once (exit 2).
 * One NVIDIA L4 per instance with the least CPU and memory Cloud Run allows with it (4 vCPU, 16 GiB), CPU always
 * allocated, min 0 instances, at most {@code maxInstances} (the cost cap).
 *
 * @param publicAccess     anyone may call the URL (invoker IAM check off); otherwise callers need an ID token
 * @param zonalRedundancy  GPU capacity reserved across zones for failover (costs more); off by default
 */
public record CloudRunSpec(
        String name,
        String project,
        String region,
        String bucket,
        String gpu,
        int maxInstances,
        boolean publicAccess,
        boolean zonalRedundancy,
        String image) {
    public static final String CPU = "4";
    public static final String MEMORY = "16Gi";
    /** Cloud Run's ceiling on max instances is far above any GPU quota; this keeps a typo from costing $1000/h. */
    static final int MAX_INSTANCES_LIMIT = 20;

    /** The flags as given; null means "not given". */
    public record Flags(
            String name,
            String project,
            String region,
            String bucket,
            String gpu,
            Integer maxInstances,
            boolean publicAccess,
            boolean zonalRedundancy,
            String image) {}

    public static CloudRunSpec check(Flags flags, Manifest manifest) {
        Problems problems = new Problems();
        Serving defaults = manifest.serving() == null ? Serving.defaults() : manifest.serving();
        String name = problems.check(() -> DeploymentName.choose(flags.name(), manifest.name()), null);
        problems.check(() -> CloudContext.checkProjectAndRegion(flags.project(), flags.region()));
        problems.check(() -> GcsLocation.checkBucket(flags.bucket()));
        String gpu = flags.gpu() == null ? CloudRunRegions.L4 : flags.gpu();
        if (!gpu.equals(CloudRunRegions.L4)) {
            problems.add(MldevException.usage(
                    "Cloud Run offers no GPU '" + gpu + "'",
                    "pass --gpu " + CloudRunRegions.L4
                            + " (the only GPU Cloud Run has), or deploy with --target vertex"));
        } else if (flags.region() != null && !flags.region().isBlank() && !CloudRunRegions.offersGpu(flags.region())) {
            problems.add(MldevException.usage(
                    "Cloud Run has no " + gpu + " GPUs in " + flags.region(),
                    "pass --region " + String.join(", ", CloudRunRegions.withGpu())));
        }
        int max = flags.maxInstances() == null ? 1 : flags.maxInstances();
        if (max < 1 || max > MAX_INSTANCES_LIMIT) {
            problems.add(MldevException.usage(
                    "--max-instances " + max + " is outside 1 to " + MAX_INSTANCES_LIMIT,
                    "pass --max-instances 1 (each instance holds a GPU, and GPU quota is granted per region)"));
        }
        String image = flags.image() != null ? flags.image() : defaults.image();
        if (image == null || image.isBlank()) {
            problems.add(MldevException.usage(
                    "no serving image for " + name,
                    "pass --image REF, or push one with 'mldev image push' (it records the image in the bundle)"));
        }
        problems.throwIfAny();
        return new CloudRunSpec(
                name,
                flags.project(),
                flags.region(),
                flags.bucket().replaceFirst("^gs://", "").replaceAll("/+$", ""),
                gpu,
                max,
                flags.publicAccess(),
                flags.zonalRedundancy(),
                image);
    }

    /** The Cloud Run service's id: "mldev-" and the deployment name (at most 46 of the 49 characters allowed). */
    public String serviceId() {
        return "mldev-" + name;
    }

    public String serviceName() {
        return "projects/" + project + "/locations/" + region + "/services/" + serviceId();
    }
}
