package dev.mldev.deploy.vertex.batch;

import dev.mldev.MldevException;
import dev.mldev.Problems;
import dev.mldev.bundle.Manifest;
import dev.mldev.cloud.GcsLocation;
import dev.mldev.deploy.vertex.VertexSpec;
import java.util.List;

/**
 * A checked batch prediction: the Vertex settings (machine, GPU, image, replicas as both the starting and the
 * maximum count), the inputs (local image files, or {@code gs://} JSON Lines files of {"b64": ...} instances, not
 * both), where outputs stay ({@code gs://} prefix, or null: read back and deleted) and the measured time per image.
 */
public record BatchSpec(
        VertexSpec vertex, int replicas, List<String> gcsInputs, int localInputs, String output, Integer perImageMs) {

    /** The flags as given; null means "not given". */
    public record Flags(
            String name,
            String project,
            String region,
            String bucket,
            String machineType,
            String gpu,
            Integer replicas,
            String image,
            List<String> inputs,
            String output,
            Integer perImageMs) {}

    public static BatchSpec check(Flags flags, Manifest manifest) {
        Problems problems = new Problems();
        int replicas = flags.replicas() == null ? 1 : flags.replicas();
        if (replicas < 1) {
            problems.add(MldevException.usage(
                    "--replicas " + replicas + " is below 1",
                    "pass how many GPU machines work in parallel, e.g. --replicas 2"));
        }
        List<String> gcs =
                flags.inputs().stream().filter(i -> i.startsWith("gs://")).toList();
        int local = flags.inputs().size() - gcs.size();
        if (!gcs.isEmpty() && local > 0) {
            problems.add(
                    MldevException.usage(
                            "inputs mix local files and gs:// URIs",
                            "pass either image files (mldev uploads them) or gs:// JSON Lines files of {\"b64\": ...} instances"));
        }
        gcs.forEach(uri -> problems.check(() -> checkGcsUri(uri, "input")));
        if (flags.output() != null) {
            problems.check(() -> checkGcsUri(flags.output(), "--output"));
        }
        if (flags.perImageMs() != null && flags.perImageMs() <= 0) {
            problems.add(MldevException.usage(
                    "--per-image-ms " + flags.perImageMs() + " is not a time",
                    "pass the milliseconds one image takes, as 'mldev predict --json' reports it (timings_ms)"));
        }
        VertexSpec vertex = problems.check(
                () -> VertexSpec.check(
                        new VertexSpec.Flags(
                                flags.name(),
                                flags.project(),
                                flags.region(),
                                flags.bucket(),
                                flags.machineType(),
                                flags.gpu(),
                                null,
                                Math.max(1, replicas),
                                Math.max(1, replicas),
                                null,
                                null,
                                flags.image(),
                                null),
                        manifest),
                null);
        problems.throwIfAny();
        String output =
                flags.output() == null ? null : flags.output().endsWith("/") ? flags.output() : flags.output() + "/";
        return new BatchSpec(vertex, replicas, gcs, local, output, flags.perImageMs());
    }

    private static void checkGcsUri(String uri, String what) {
        String rest = uri.startsWith("gs://") ? uri.substring("gs://".length()) : "";
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1 && what.equals("input")) {
            throw MldevException.usage(
                    what + " '" + uri + "' is not a gs://BUCKET/PATH URI",
                    what.equals("input")
                            ? "name JSON Lines files, e.g. gs://my-bucket/batch/*.jsonl"
                            : "name a folder, e.g. gs://my-bucket/batch-out/");
        }
        GcsLocation.checkBucket(rest.substring(0, slash));
    }
}
