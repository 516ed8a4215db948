package dev.mldev.cli;

import dev.mldev.Environment;
import dev.mldev.Labels;
import dev.mldev.MldevException;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.LocalModel;
import dev.mldev.runtime.Opening;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import dev.mldev.runtime.SessionFactory;
import dev.mldev.deploy.DeploymentRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "predict", sortOptions = false,
        description = {"Run images through a model: in this process (--local) or on a deployment (--target)."},
        footer = {"", "Examples:",
                "  mldev predict line.png --model ocr-rec --local",
                "  mldev predict a.png b.jpg --model ocr-cls --local --json",
                "  mldev predict line.png --target ocr"})
final class PredictCommand extends BaseCommand {
    /** Larger than any camera's PNG or JPEG; the pixel budget then bounds what decoding one may build. */
    static final int MAX_IMAGE_BYTES = 64 << 20;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "PNG, JPEG, BMP or GIF files.")
    List<Path> images;

    @Option(names = "--model", paramLabel = "BUNDLE",
            description = "The bundle to run in this process (directory or .zip); implies --local without --target.")
    Path model;

    @Option(names = "--local", description = "Run in this process on ONNX Runtime (needs --model).")
    boolean local;

    @Option(names = "--target", paramLabel = "NAME",
            description = "Send to this deployment (default: the only or most recent one; see 'mldev status').")
    String target;

    @Option(names = "--device", paramLabel = "auto|cuda|cpu", defaultValue = "auto",
            description = "With --local: auto tries CUDA and falls back to the CPU; cuda fails if CUDA cannot run.")
    Device device;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
            description = "Labels to list for classifiers (default: the bundle's).")
    int topK;

    @Option(names = "--json", description = "A JSON array, one object per image.")
    boolean json;

    @Option(names = "--wake-timeout", paramLabel = "DURATION", defaultValue = "15m",
            description = "vertex: how long to wait for an endpoint scaled to zero to wake (default: 15m).")
    Duration wakeTimeout;

    @Override
    public Integer call() {
        if (topK < 0) {
            throw MldevException.usage("--top-k must be 0 or more", null);
        }
        if (local && target != null) {
            throw MldevException.usage("--local and --target cannot be combined", "choose one");
        }
        if (model != null && target != null) {
            throw MldevException.usage("--model and --target cannot be combined: a deployment runs the bundle it was deployed with",
                    "drop --model to predict on " + target + ", or drop --target to run " + model + " here");
        }
        List<Predictor.Input> inputs = readImages(images);
        if (!local && (target != null || model == null)) {
            DeploymentRecord deployment = Targets.store(env()).resolve(target);
            List<Prediction> predictions = Targets.of(deployment.target(), env(), wakeTimeout, this::notice,
                            question -> !terminal().interactive() || terminal().confirm(err(), question))
                    .predict(deployment, inputs, topK, terminal().progress(err()));
            PredictionPrinter.print(predictions, json, out());
            return 0;
        }
        if (model == null) {
            throw MldevException.usage("--local needs --model BUNDLE", "e.g. mldev predict img.png --local --model ocr-rec");
        }
        // the model loads while the images are decoded; from main already when it could be (EarlyModel)
        try (Opening<LocalModel> opening = EarlyModel.take(model, device, this::notice)
                .orElseGet(() -> startOpening(env(), model, device, this::notice, verbose()))) {
            List<Predictor.Decoded> decoded = Predictor.decodeAll(inputs);
            LocalModel loaded = opening.take();
            try (Predictor predictor = new Predictor(loaded.bundle(), loaded.session(), false)) {
                PredictionPrinter.print(predictor.predictDecoded(decoded, topK), json, out());
            }
        }
        return 0;
    }

    /**
     * Starts opening the bundle and its model session on a thread of its own. ONNX Runtime's threads sleep
     * between runs: spinning, they would take the cores the JVM's compiler needs in a short run.
     */
    static Opening<LocalModel> startOpening(Environment env, Path bundle, Device device, Consumer<String> notice,
            boolean verbose) {
        SessionFactory sessions = new SessionFactory(env, notice, verbose).withoutSpinning();
        return Opening.start(() -> LocalModel.open(bundle, device, sessions, env.cacheDir()));
    }

    /**
     * Reads each image file, refusing missing files, directories, devices and pipes, and files over
     * {@link #MAX_IMAGE_BYTES}, before any model is loaded.
     */
    static List<Predictor.Input> readImages(List<Path> images) {
        List<Predictor.Input> inputs = new ArrayList<>();
        for (Path image : images) {
            if (!Files.exists(image)) {
                throw MldevException.failure("image " + image + " does not exist", "check the path");
            }
            if (Files.isDirectory(image)) {
                throw MldevException.failure("image " + image + " is a directory", "pass image files, e.g. " + image + "/*.png");
            }
            if (!Files.isRegularFile(image)) {
                throw MldevException.usage("image " + image + " is not a regular file (a device, pipe or socket)",
                        "save the image to a file and pass that");
            }
            inputs.add(new Predictor.Input(image.toString(), readBounded(image)));
        }
        return inputs;
    }

    /** The file's bytes; reading stops past the limit, so a file that grows meanwhile is refused too. */
    private static byte[] readBounded(Path image) {
        try (InputStream in = Files.newInputStream(image)) {
            byte[] bytes = Files.size(image) > MAX_IMAGE_BYTES ? null : in.readNBytes(MAX_IMAGE_BYTES + 1);
            if (bytes == null || bytes.length > MAX_IMAGE_BYTES) {
                throw MldevException.usage("image " + image + " is larger than " + (MAX_IMAGE_BYTES >> 20) + " MiB",
                        "scale it down or re-encode it (PNG or JPEG) before predicting");
            }
            return bytes;
        } catch (IOException e) {
            throw MldevException.failure("cannot read image " + image + ": " + e.getMessage(), "check its permissions");
        }
    }
}
