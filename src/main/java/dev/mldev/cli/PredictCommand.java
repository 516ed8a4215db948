package dev.mldev.cli;

import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.Target;
import dev.mldev.runtime.DecodeAhead;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.ImageResult;
import dev.mldev.runtime.LocalModel;
import dev.mldev.runtime.Opening;
import dev.mldev.runtime.PendingImage;
import dev.mldev.runtime.Predictor;
import dev.mldev.runtime.SessionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "predict",
        sortOptions = false,
        description = {
            "Run images through a model: in this process (--local) or on a deployment (--target).",
            "Directories give their images, sorted by name. Results are written as each image is done, and",
            "memory stays the same however many images there are."
        },
        footer = {
            "",
            "Examples:",
            "  mldev predict line.png --model ocr-rec --local",
            "  mldev predict a.png b.jpg --model ocr-cls --local --json",
            "  mldev predict scans/ --recursive --model ocr-rec --jsonl --output results.jsonl --resume",
            "  mldev predict line.png --target ocr"
        })
final class PredictCommand extends BaseCommand {
    /** Larger than any camera's PNG or JPEG; the pixel budget then bounds what decoding one may build. */
    static final int MAX_IMAGE_BYTES = 64 << 20;

    @Parameters(
            arity = "1..*",
            paramLabel = "IMAGE",
            description = "PNG, JPEG, BMP or GIF files, or directories of them.")
    List<Path> images;

    @Option(names = "--recursive", description = "Take the images of directories' subdirectories too.")
    boolean recursive;

    @Option(
            names = "--model",
            paramLabel = "BUNDLE",
            description = "The bundle to run in this process (directory or .zip); implies --local without --target.")
    Path model;

    @Option(names = "--local", description = "Run in this process on ONNX Runtime (needs --model).")
    boolean local;

    @Option(
            names = "--target",
            paramLabel = "NAME",
            description = "Send to this deployment (default: the only or most recent one; see 'mldev status').")
    String target;

    @Option(
            names = "--device",
            paramLabel = "auto|cuda|cpu",
            defaultValue = "auto",
            description = "With --local: auto tries CUDA and falls back to the CPU; cuda fails if CUDA cannot run.")
    Device device;

    @Option(
            names = "--top-k",
            paramLabel = "K",
            defaultValue = "0",
            description = "Labels to list for classifiers (default: the bundle's).")
    int topK;

    @Option(names = "--json", description = "A JSON array, one object per image.")
    boolean json;

    @Option(names = "--jsonl", description = "JSON Lines: one object per image, each written as soon as it is done.")
    boolean jsonl;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description = "Write the results to FILE instead of standard output.")
    Path output;

    @Option(
            names = "--resume",
            description = "With --output: skip the images FILE already has, and add the rest to it (JSON Lines).")
    boolean resume;

    @Option(
            names = "--continue-on-error",
            description =
                    "Report an image that cannot be read or predicted in the output and go on; exit 1 at the end.")
    boolean continueOnError;

    @Option(
            names = "--wake-timeout",
            paramLabel = "DURATION",
            defaultValue = "15m",
            description = "vertex: how long to wait for an endpoint scaled to zero to wake (default: 15m).")
    Duration wakeTimeout;

    @Override
    public Integer call() {
        checkFlags();
        List<Path> files = ImageWalk.expand(images, recursive);
        if (resume) {
            Set<String> answered = ResumeFile.answered(output);
            files = files.stream()
                    .filter(file -> !answered.contains(file.toString()))
                    .toList();
            if (files.isEmpty()) {
                notice("every image already has its result in " + output);
                return ExitCodes.OK;
            }
        }
        Iterator<PendingImage> pending =
                files.stream().map(PredictCommand::pending).iterator();
        Progress progress = terminal().progress(err());
        if (!local && (target != null || model == null)) {
            DeploymentRecord deployment = Targets.store(env()).resolve(target);
            Target where = Targets.of(
                    deployment.target(),
                    env(),
                    wakeTimeout,
                    this::notice,
                    question -> !terminal().interactive() || terminal().confirm(err(), question));
            return stream(
                    files.size(), progress, results -> where.predictEach(deployment, pending, topK, progress, results));
        }
        // the model loads while the first images are decoded; from main already when it could be (EarlyModel)
        try (Opening<LocalModel> opening = EarlyModel.take(model, device, this::notice)
                        .orElseGet(() -> startOpening(env(), model, device, this::notice, verbose()));
                DecodeAhead decoded = DecodeAhead.start(pending, Predictor.decodeDepth())) {
            LocalModel loaded = opening.take();
            try (Predictor predictor = new Predictor(loaded.bundle(), loaded.session(), false)) {
                return stream(files.size(), progress, results -> predictor.predictEach(decoded, topK, results));
            }
        }
    }

    private void checkFlags() {
        if (topK < 0) {
            throw MldevException.usage("--top-k must be 0 or more", null);
        }
        if (local && target != null) {
            throw MldevException.usage("--local and --target cannot be combined", "choose one");
        }
        if (model != null && target != null) {
            throw MldevException.usage(
                    "--model and --target cannot be combined: a deployment runs the bundle it was deployed with",
                    "drop --model to predict on " + target + ", or drop --target to run " + model + " here");
        }
        if (local && model == null) {
            throw MldevException.usage(
                    "--local needs --model BUNDLE", "e.g. mldev predict img.png --local --model ocr-rec");
        }
        if (json && jsonl) {
            throw MldevException.usage(
                    "--json and --jsonl cannot be combined", "choose one: an array, or one object a line");
        }
        if (resume && output == null) {
            throw MldevException.usage("--resume needs --output FILE", "e.g. --jsonl --output results.jsonl --resume");
        }
        if (resume && json) {
            throw MldevException.usage("--resume continues a JSON Lines file, not a --json array", "use --jsonl");
        }
    }

    /** Runs {@code predictions} into the output, as the results come; exit 1 when an image failed. */
    private int stream(long total, Progress progress, Consumer<Consumer<ImageResult>> predictions) {
        PredictionPrinter.Format format = json
                ? PredictionPrinter.Format.JSON
                : jsonl || resume ? PredictionPrinter.Format.JSONL : PredictionPrinter.Format.TEXT;
        PrintWriter writer = output == null ? out() : openOutput();
        Supplier<MldevException> writeFailure = output == null
                ? PredictionPrinter::stdoutFailure
                : () -> MldevException.failure("cannot write the output to " + output, "check the disk it is on");
        StreamedResults results = new StreamedResults(
                new PredictionPrinter(format, writer, writeFailure),
                new StreamProgress(progress, total, System::nanoTime),
                continueOnError);
        try {
            predictions.accept(results);
            results.finish();
        } catch (RuntimeException e) {
            results.stopped();
            throw e;
        } finally {
            if (output != null) {
                writer.close();
            }
        }
        if (results.failed() > 0) {
            notice(results.failed() + " of " + results.done() + " images failed; the output says why for each");
            return ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
    }

    private PrintWriter openOutput() {
        try {
            return new PrintWriter(Files.newBufferedWriter(
                    output,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    resume ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING));
        } catch (IOException e) {
            throw MldevException.failure(
                    "cannot write " + output + ": " + e.getMessage(), "check the directory and its permissions");
        }
    }

    /**
     * Starts opening the bundle and its model session on a thread of its own. ONNX Runtime's threads sleep
     * between runs: spinning, they would take the cores the JVM's compiler needs in a short run.
     */
    static Opening<LocalModel> startOpening(
            Environment env, Path bundle, Device device, Consumer<String> notice, boolean verbose) {
        SessionFactory sessions = new SessionFactory(env, notice, verbose).withoutSpinning();
        return Opening.start(() -> LocalModel.open(bundle, device, sessions, env.cacheDir()));
    }

    /** An image file, read when its turn comes; refused there if over {@link #MAX_IMAGE_BYTES}. */
    static PendingImage pending(Path image) {
        return new PendingImage(image.toString(), () -> readBounded(image));
    }

    /** The file's bytes; reading stops past the limit, so a file that grows meanwhile is refused too. */
    private static byte[] readBounded(Path image) {
        try (InputStream in = Files.newInputStream(image)) {
            byte[] bytes = Files.size(image) > MAX_IMAGE_BYTES ? null : in.readNBytes(MAX_IMAGE_BYTES + 1);
            if (bytes == null || bytes.length > MAX_IMAGE_BYTES) {
                throw MldevException.usage(
                        "image " + image + " is larger than " + (MAX_IMAGE_BYTES >> 20) + " MiB",
                        "scale it down or re-encode it (PNG or JPEG) before predicting");
            }
            return bytes;
        } catch (IOException e) {
            throw MldevException.failure("cannot read image " + image + ": " + e.getMessage(), "check its permissions");
        }
    }
}
