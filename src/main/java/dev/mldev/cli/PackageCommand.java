package dev.mldev.cli;

import dev.mldev.MldevException;
import dev.mldev.bundle.Bundle;
import dev.mldev.bundle.Manifest;
import dev.mldev.bundle.Preprocess;
import dev.mldev.bundle.PreprocessLimits;
import dev.mldev.runtime.Packager;
import dev.mldev.runtime.SessionFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "package",
        sortOptions = false,
        description = {
            "Package an ONNX model with its pre- and postprocessing into a bundle.",
            "The model is loaded once and run on a synthetic input; a model that cannot run is refused."
        },
        footer = {
            "",
            "Examples:",
            "  mldev package ch_PP-OCRv4_rec_infer.onnx --preset ppocr-rec --vocab ppocr_keys_v1.txt --out ocr-rec",
            "  mldev package cls.onnx --preset ppocr-cls --out ocr-cls --zip",
            "  mldev package resnet50.onnx --preset imagenet --labels synset.txt --out resnet"
        })
final class PackageCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model file.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The bundle directory to write.")
    Path out;

    @Option(
            names = "--preset",
            paramLabel = "NAME",
            completionCandidates = PresetNames.class,
            description = "Known preprocessing and postprocessing: ${COMPLETION-CANDIDATES}.")
    String preset;

    @Option(names = "--labels", paramLabel = "FILE", description = "Class labels, one a line (classify).")
    Path labels;

    @Option(names = "--vocab", paramLabel = "FILE", description = "Recognizer vocabulary, one symbol a line (ctc).")
    Path vocab;

    @Option(names = "--size", paramLabel = "WxH", description = "Resize every image to exactly this size.")
    String size;

    @Option(names = "--height", paramLabel = "H", description = "Resize to this height keeping the aspect ratio.")
    Integer height;

    @Option(
            names = "--max-width",
            paramLabel = "W",
            description = "With --height: at most this wide, padded right to it.")
    Integer maxWidth;

    @Option(names = "--color", paramLabel = "rgb|bgr", description = "Channel order the model expects.")
    String color;

    @Option(
            names = "--mean",
            split = ",",
            paramLabel = "a,b,c",
            description = "Per-channel mean after scaling to 0..1.")
    List<Double> mean;

    @Option(names = "--std", split = ",", paramLabel = "a,b,c", description = "Per-channel std after scaling to 0..1.")
    List<Double> std;

    @Option(names = "--name", paramLabel = "N", description = "Bundle name (default: the model file's name).")
    String name;

    @Option(names = "--zip", description = "Write a .zip of the bundle instead of a directory.")
    boolean zip;

    @Option(
            names = "--title",
            paramLabel = "TEXT",
            description = "Heading of the demo page 'mldev serve' shows at / (default: the name).")
    String title;

    @Option(names = "--description", paramLabel = "TEXT", description = "A paragraph about the model on the demo page.")
    String description;

    @Option(
            names = "--example",
            arity = "1..*",
            paramLabel = "IMAGE",
            description = "Example images to copy into the bundle and offer on the demo page (at most 8, 2 MiB each).")
    List<Path> examples;

    @Override
    public Integer call() {
        if (color != null && !color.equalsIgnoreCase("rgb") && !color.equalsIgnoreCase("bgr")) {
            throw MldevException.usage("--color must be rgb or bgr, not '" + color + "'", null);
        }
        if (mean != null) {
            PreprocessLimits.mean("--mean", mean).ifPresent(PackageCommand::refuse);
        }
        if (std != null) {
            PreprocessLimits.std("--std", std).ifPresent(PackageCommand::refuse);
        }
        Packager.Request request = new Packager.Request(
                model,
                preset,
                labels,
                vocab,
                resize(),
                color == null ? null : color.toLowerCase(java.util.Locale.ROOT),
                mean,
                std,
                name,
                out,
                zip);
        Packager.Showcase showcase = new Packager.Showcase(title, description, examples == null ? List.of() : examples);
        Path written = new Packager(new SessionFactory(env(), this::notice, verbose())).pack(request, showcase);
        Manifest manifest = Bundle.open(written, env().cacheDir()).manifest();
        out().printf(
                        "%s  %s version %s  (%s, %s)%n",
                        written,
                        manifest.name(),
                        manifest.version(),
                        manifest.postprocess().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT),
                        manifest.inputs().get(0).shape());
        return 0;
    }

    private Preprocess.Resize resize() {
        if (size != null && height != null) {
            throw MldevException.usage(
                    "--size and --height cannot be combined", "use --size WxH or --height H [--max-width W]");
        }
        if (size != null) {
            String[] parts = size.toLowerCase(java.util.Locale.ROOT).split("x");
            try {
                if (parts.length == 2) {
                    return checked(Preprocess.Resize.fixed(Integer.parseInt(parts[0]), Integer.parseInt(parts[1])));
                }
            } catch (NumberFormatException e) {
                // falls through to the usage error
            }
            throw MldevException.usage("--size must be WIDTHxHEIGHT, e.g. 224x224, not '" + size + "'", null);
        }
        if (height != null) {
            return checked(Preprocess.Resize.keepAspect(height, maxWidth == null ? 0 : maxWidth, maxWidth != null));
        }
        if (maxWidth != null) {
            throw MldevException.usage("--max-width needs --height", "e.g. --height 48 --max-width 192");
        }
        return null;
    }

    private static Preprocess.Resize checked(Preprocess.Resize resize) {
        if (resize.isFixed()) {
            PreprocessLimits.side("--size width", resize.width(), false)
                    .or(() -> PreprocessLimits.side("--size height", resize.height(), false))
                    .ifPresent(PackageCommand::refuse);
        } else {
            // padRight: --max-width was given
            PreprocessLimits.side("--height", resize.height(), false)
                    .or(() -> resize.padRight()
                            ? PreprocessLimits.side("--max-width", resize.maxWidth(), false)
                            : Optional.empty())
                    .ifPresent(PackageCommand::refuse);
        }
        return resize;
    }

    private static void refuse(String problem) {
        throw MldevException.usage(problem, "see 'mldev package --help'");
    }

    /** Completion candidates for --preset. */
    static final class PresetNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return dev.mldev.bundle.Presets.names().iterator();
        }
    }
}
