package dev.mldev.deploy.pipeline;

import dev.mldev.MldevException;
import dev.mldev.bundle.Manifest;
import dev.mldev.deploy.vertex.Accelerator;
import dev.mldev.deploy.vertex.VertexSpec;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checked vertex-pipeline deployment: the same checks as a Vertex AI deploy (project, region, bucket, name,
 * image, machine/GPU pair), plus the machine's size, which the pipeline asks for as CPU and memory limits.
 */
public record PipelineSpec(
        String name,
        String project,
        String region,
        String bucket,
        String machineType,
        Optional<Accelerator> gpu,
        int gpuCount,
        String image,
        int cpus,
        int memoryGb) {
    private static final Pattern SIZED = Pattern.compile("([a-z][a-z0-9]*)-([a-z]+)-(\\d+)(g?)");

    public static PipelineSpec check(VertexSpec.Flags flags, Manifest manifest) {
        if (flags.minReplicas() != null
                || flags.maxReplicas() != null
                || flags.idleTimeout() != null
                || flags.minScaleup() != null) {
            throw MldevException.usage(
                    "--min-replicas, --max-replicas, --idle-timeout and --min-scaleup do not apply to vertex-pipeline",
                    "drop them: a pipeline runs only while it predicts");
        }
        VertexSpec vertex = VertexSpec.check(flags, manifest);
        int[] size = size(vertex.machineType());
        return new PipelineSpec(
                vertex.name(),
                vertex.project(),
                vertex.region(),
                vertex.bucket(),
                vertex.machineType(),
                vertex.gpu(),
                vertex.gpuCount(),
                vertex.image(),
                size[0],
                size[1]);
    }

    /** vCPUs and GB of memory of a machine type, from its family's shape. */
    static int[] size(String machineType) {
        Matcher m = SIZED.matcher(machineType);
        if (!m.matches()) {
            throw MldevException.usage(
                    "cannot tell the size of machine type " + machineType,
                    "use a type such as g2-standard-8, n1-standard-4 or a2-highgpu-1g");
        }
        int n = Integer.parseInt(m.group(3));
        String shape = m.group(1) + "-" + m.group(2);
        return switch (shape) {
            case "g2-standard" -> new int[] {n, 4 * n};
            case "n1-standard" -> new int[] {n, (int) (3.75 * n)};
            case "n1-highmem" -> new int[] {n, (int) (6.5 * n)};
            case "n1-highcpu" -> new int[] {n, (int) Math.max(1, 0.9 * n)};
            case "a2-highgpu" -> new int[] {12 * n, 85 * n};
            case "a2-ultragpu" -> new int[] {12 * n, 170 * n};
            case "a3-highgpu" -> new int[] {26 * n, 234 * n};
            default ->
                throw MldevException.usage(
                        "cannot tell the size of machine type " + machineType,
                        "use a g2-standard, n1-standard, n1-highmem, n1-highcpu, a2-highgpu, a2-ultragpu or a3-highgpu type");
        };
    }
}
