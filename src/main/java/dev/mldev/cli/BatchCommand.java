package dev.mldev.cli;

import dev.mldev.Durations;
import dev.mldev.cost.PriceTables;
import dev.mldev.deploy.vertex.batch.BatchSpec;
import dev.mldev.deploy.vertex.batch.VertexBatch;
import dev.mldev.runtime.ImageResult;
import dev.mldev.runtime.PendingImage;
import dev.mldev.runtime.Predictor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "batch",
        sortOptions = false,
        description = {
            "Predict many images with a Vertex AI batch prediction job on GPU replicas.",
            "Nothing exists before or after the job: the model is uploaded for it and deleted after it."
        },
        footer = {
            "",
            "Examples:",
            "  mldev batch ocr-rec lines/*.png --gpu nvidia-l4 --replicas 2",
            "  mldev batch ocr-rec gs://my-bucket/in/*.jsonl --output gs://my-bucket/out/",
            "  mldev batch ocr-rec lines/*.png --dry-run --json --per-image-ms 14"
        })
final class BatchCommand extends BaseCommand {
    /** How often the job is read at first; the interval grows to ten times this. */
    private static final Duration POLL = Duration.ofSeconds(2);

    @Parameters(index = "0", paramLabel = "BUNDLE", description = "Bundle directory or .zip.")
    Path bundle;

    @Parameters(
            index = "1..*",
            arity = "1..*",
            paramLabel = "INPUT",
            description =
                    "Image files (uploaded as JSON Lines of {\"b64\": ...}), or gs:// JSON Lines files of such instances.")
    List<String> inputs;

    @Option(
            names = "--project",
            paramLabel = "P",
            description =
                    "Google Cloud project (default: MLDEV_PROJECT, GOOGLE_CLOUD_PROJECT, CLOUDSDK_CORE_PROJECT, config).")
    String project;

    @Option(
            names = "--region",
            paramLabel = "R",
            description = "Region, e.g. us-central1 (default: MLDEV_REGION, config).")
    String region;

    @Option(
            names = "--bucket",
            paramLabel = "B",
            description =
                    "Cloud Storage bucket for the bundle, the inputs and the outputs (default: MLDEV_BUCKET, config).")
    String bucket;

    @Option(
            names = "--machine",
            paramLabel = "TYPE",
            description = "Machine type (default: the bundle's, g2-standard-4).")
    String machine;

    @Option(
            names = "--gpu",
            paramLabel = "GPU",
            description =
                    "nvidia-l4, nvidia-tesla-t4, nvidia-tesla-a100, ... or none (default: the bundle's, nvidia-l4).")
    String gpu;

    @Option(names = "--replicas", paramLabel = "N", description = "Machines working in parallel (default: 1).")
    Integer replicas;

    @Option(
            names = "--image",
            paramLabel = "REF",
            description = "The serving image (default: MLDEV_IMAGE, the bundle's).")
    String image;

    @Option(
            names = "--name",
            paramLabel = "N",
            description = "Name in labels and Cloud Storage paths (default: the bundle's name).")
    String name;

    @Option(
            names = "--output",
            paramLabel = "gs://PREFIX",
            description = "Leave the predictions under this prefix instead of printing them.")
    String output;

    @Option(
            names = "--per-image-ms",
            paramLabel = "MS",
            description = "--dry-run: the measured time per image the forecast uses (default: 100 ms assumed).")
    Integer perImageMs;

    @Option(
            names = "--prices",
            paramLabel = "FILE",
            description = "Price table for the forecast (default: cached or built-in).")
    Path prices;

    @Option(names = "--dry-run", description = "Print the job request and the forecast; call nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Predictions as a JSON array; with --dry-run the plan as JSON.")
    boolean json;

    @Override
    public Integer call() {
        BatchSpec.Flags flags = new BatchSpec.Flags(
                name, project, region, bucket, machine, gpu, replicas, image, inputs, output, perImageMs);
        VertexBatch batch = new VertexBatch(
                env(), question -> !terminal().interactive() || terminal().confirm(err(), question), POLL);
        if (dryRun) {
            VertexBatch.Plan plan = batch.plan(bundle, flags, PriceTables.load(env(), prices));
            if (json) {
                out().println(plan.json().toPrettyString());
            } else {
                out().println(plan.json().get("plan").asText());
                int n = 1;
                for (var call : plan.json().get("calls")) {
                    out().println(n++ + ". " + call.asText());
                }
                out().println("batch_prediction_job:");
                out().println(plan.json().get("batch_prediction_job").toPrettyString());
                out().println("forecast:");
                plan.forecast().lines().forEach(line -> out().println("  " + line));
            }
            return 0;
        }
        List<Path> files = inputs.stream()
                .filter(i -> !i.startsWith("gs://"))
                .map(Path::of)
                .toList();
        List<Predictor.Input> images = ImageWalk.expand(files, false).stream()
                .map(PredictCommand::pending)
                .map(PendingImage::read)
                .toList();
        VertexBatch.Result result = batch.run(bundle, flags, images, terminal().progress(err()));
        notice("batch prediction job " + result.job() + " took "
                + Durations.format(Duration.ofSeconds(result.wall().toSeconds())));
        if (result.outputsKept()) {
            out().println(result.outputDirectory());
        } else {
            PredictionPrinter printer = new PredictionPrinter(
                    json ? PredictionPrinter.Format.JSON : PredictionPrinter.Format.TEXT,
                    out(),
                    PredictionPrinter::stdoutFailure);
            result.predictions().forEach(prediction -> printer.write(ImageResult.of(prediction)));
            printer.finish();
        }
        return 0;
    }
}
