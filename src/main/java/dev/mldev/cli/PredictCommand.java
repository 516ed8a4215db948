package dev.mldev.cli;

import dev.mldev.MldevException;
import dev.mldev.bundle.Bundle;
import dev.mldev.runtime.BackgroundSession;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import dev.mldev.runtime.SessionFactory;
import dev.mldev.target.DeploymentRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
        Bundle bundle = Bundle.open(model);
        bundle.verify(env().cacheDir().resolve("verified"));
        SessionFactory sessions = new SessionFactory(env(), this::notice, verbose());
        // the session loads while the images are decoded
        try (BackgroundSession opening = BackgroundSession.start(() -> sessions.open(bundle, device))) {
            List<Predictor.Decoded> decoded = Predictor.decodeAll(inputs);
            try (Predictor predictor = new Predictor(bundle, opening.take(), false)) {
                PredictionPrinter.print(predictor.predictDecoded(decoded, topK), json, out());
            }
        }
        return 0;
    }

    /** Reads each image file, refusing missing files and directories before any model is loaded. */
    static List<Predictor.Input> readImages(List<Path> images) {
        List<Predictor.Input> inputs = new ArrayList<>();
        for (Path image : images) {
            if (!Files.exists(image)) {
                throw MldevException.failure("image " + image + " does not exist", "check the path");
            }
            if (Files.isDirectory(image)) {
                throw MldevException.failure("image " + image + " is a directory", "pass image files, e.g. " + image + "/*.png");
            }
            try {
                inputs.add(new Predictor.Input(image.toString(), Files.readAllBytes(image)));
            } catch (IOException e) {
                throw MldevException.failure("cannot read image " + image + ": " + e.getMessage(), "check its permissions");
            }
        }
        return inputs;
    }
}
