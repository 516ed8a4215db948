package dev.mldev.runtime;

import dev.mldev.MldevException;
import dev.mldev.bundle.BundleWriter;
import dev.mldev.bundle.Demo;
import dev.mldev.bundle.Hashes;
import dev.mldev.bundle.Manifest;
import dev.mldev.bundle.Manifest.TensorSpec;
import dev.mldev.bundle.ManifestIo;
import dev.mldev.bundle.Postprocess;
import dev.mldev.bundle.Preprocess;
import dev.mldev.bundle.Presets;
import dev.mldev.bundle.Serving;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code mldev package}: works out the manifest from a preset and flags, checks it against what ONNX Runtime
 * reads from the model, runs one synthetic input through it, and writes the bundle.
 */
public final class Packager {
    private final SessionFactory sessions;

    public Packager(SessionFactory sessions) {
        this.sessions = sessions;
    }

    /**
     * What the user asked for; null fields take the preset's value (or the generic default without a preset).
     *
     * @param resize fixed size or keep-aspect height/max width from the flags, or null
     */
    public record Request(
            Path model,
            String preset,
            Path labels,
            Path vocab,
            Preprocess.Resize resize,
            String color,
            List<Double> mean,
            List<Double> std,
            String name,
            Path out,
            boolean zip) {}

    /**
     * What the demo page shows, from {@code --title --description --example}; each field may be null or empty.
     *
     * @param examples image files to copy into the bundle
     */
    public record Showcase(String title, String description, List<Path> examples) {
        public static final Showcase NONE = new Showcase(null, null, List.of());

        boolean isEmpty() {
            return title == null && description == null && (examples == null || examples.isEmpty());
        }
    }

    public Path pack(Request request) {
        return pack(request, Showcase.NONE);
    }

    public Path pack(Request request, Showcase showcase) {
        requireFile(request.model(), "model");
        Map<String, byte[]> examples = examples(showcase);
        Demo demo = showcase.isEmpty()
                ? null
                : new Demo(showcase.title(), showcase.description(), List.copyOf(examples.keySet()));
        Presets.Preset preset = request.preset() == null ? null : Presets.named(request.preset());
        Preprocess preprocess = preprocess(request, preset);
        AuxFile aux = auxFile(request, preset);
        Postprocess postprocess = postprocess(request, preset, aux);

        List<TensorSpec> inputs;
        List<TensorSpec> outputs;
        try (ModelSession session = sessions.open(request.model(), Device.CPU)) {
            inputs = session.inputs();
            outputs = session.outputs();
            preprocess = withLayoutOf(inputs.get(0), preprocess, request.model());
            checkOutputs(outputs.get(0), postprocess, aux, request.model());
            smokeTest(session, preprocess, request.model());
        }

        String modelSha = Hashes.sha256(request.model());
        String name = request.name() != null
                ? request.name()
                : request.model().getFileName().toString().replaceFirst("\\.onnx$", "");
        Manifest draft = new Manifest(
                Manifest.SCHEMA,
                name,
                null,
                new Manifest.ModelFile("model.onnx", modelSha),
                inputs,
                outputs,
                preprocess,
                postprocess,
                Serving.defaults(),
                demo);
        StringBuilder exampleHashes = new StringBuilder();
        examples.values().forEach(bytes -> exampleHashes.append(Hashes.sha256(bytes)));
        String version = Hashes.sha256(modelSha
                        + (aux == null ? "" : String.join("\n", aux.lines()))
                        + ManifestIo.write(draft)
                        + exampleHashes)
                .substring(0, 12);
        Manifest manifest = new Manifest(
                Manifest.SCHEMA,
                name,
                version,
                draft.model(),
                inputs,
                outputs,
                preprocess,
                postprocess,
                Serving.defaults(),
                demo);

        Map<String, byte[]> extras = new TreeMap<>(examples);
        if (aux != null) {
            extras.put(aux.fileName(), (String.join("\n", aux.lines()) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return BundleWriter.write(manifest, request.model(), extras, request.out(), request.zip());
    }

    /** The example images by the name each gets in the bundle, in the order given; each checked to decode. */
    private static Map<String, byte[]> examples(Showcase showcase) {
        checkLength("--title", showcase.title(), Demo.MAX_TITLE);
        checkLength("--description", showcase.description(), Demo.MAX_DESCRIPTION);
        List<Path> files = showcase.examples() == null ? List.of() : showcase.examples();
        if (files.size() > Demo.MAX_EXAMPLES) {
            throw MldevException.usage(
                    files.size() + " --example images given; a bundle holds at most " + Demo.MAX_EXAMPLES,
                    "choose the " + Demo.MAX_EXAMPLES + " that show the model best");
        }
        Map<String, byte[]> examples = new LinkedHashMap<>();
        for (Path file : files) {
            requireFile(file, "--example");
            byte[] bytes;
            try {
                if (Files.size(file) > Demo.MAX_EXAMPLE_BYTES) {
                    throw MldevException.usage(
                            "--example " + file + " has " + Files.size(file) + " bytes, more than the "
                                    + Demo.MAX_EXAMPLE_BYTES / (1024 * 1024) + " MiB an example may have",
                            "scale it down or save it as JPEG");
                }
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw MldevException.usage("cannot read --example " + file + ": " + e.getMessage(), null);
            }
            String format;
            try {
                format = ImageDecoder.decodableFormat(bytes, file.toString());
            } catch (MldevException e) {
                throw MldevException.usage(
                        "--example " + e.getMessage(), "give an example image as PNG, JPEG, BMP or GIF");
            }
            examples.put(Demo.exampleFile(examples.size(), format), bytes);
        }
        return examples;
    }

    private static void checkLength(String option, String value, int max) {
        if (value != null && value.length() > max) {
            throw MldevException.usage(option + " has " + value.length() + " characters; at most " + max, "shorten it");
        }
    }

    /** A labels or vocabulary file that goes into the bundle. */
    private record AuxFile(String fileName, String option, Path source, List<String> lines) {}

    private static Preprocess preprocess(Request r, Presets.Preset preset) {
        Preprocess base = preset != null
                ? preset.preprocess()
                : new Preprocess("NCHW", "rgb", null, 1 / 255.0, List.of(0.0, 0.0, 0.0), List.of(1.0, 1.0, 1.0));
        Preprocess.Resize resize = r.resize() != null ? r.resize() : base.resize();
        if (resize == null) {
            throw MldevException.usage(
                    "no input size for " + r.model().getFileName(),
                    "give --preset, --size WxH, or --height H [--max-width W]");
        }
        return new Preprocess(
                base.layout(),
                r.color() != null ? r.color() : base.color(),
                resize,
                base.scale(),
                checkThree(r.mean() != null ? r.mean() : base.mean(), "--mean"),
                checkThree(r.std() != null ? r.std() : base.std(), "--std"));
    }

    private static AuxFile auxFile(Request r, Presets.Preset preset) {
        if (preset != null && "--vocab".equals(preset.needs()) && r.vocab() == null) {
            throw MldevException.usage(
                    "preset " + r.preset() + " needs the recognizer's vocabulary",
                    "add --vocab FILE (one symbol a line, e.g. ppocr_keys_v1.txt)");
        }
        if (preset != null && "--labels".equals(preset.needs()) && r.labels() == null) {
            throw MldevException.usage(
                    "preset " + r.preset() + " needs the class labels",
                    "add --labels FILE (one label a line, in the model's output order)");
        }
        if (r.vocab() != null) {
            return new AuxFile("vocab.txt", "--vocab", r.vocab(), readLines(r.vocab(), "--vocab"));
        }
        if (r.labels() != null) {
            return new AuxFile("labels.txt", "--labels", r.labels(), readLines(r.labels(), "--labels"));
        }
        if (preset != null && !preset.builtinLabels().isEmpty()) {
            return new AuxFile("labels.txt", "--labels", null, preset.builtinLabels());
        }
        return null;
    }

    private static Postprocess postprocess(Request r, Presets.Preset preset, AuxFile aux) {
        if (aux == null) {
            return new Postprocess.Raw();
        }
        if (aux.option().equals("--vocab")) {
            return preset != null && preset.postprocess() instanceof Postprocess.Ctc ctc
                    ? ctc
                    : new Postprocess.Ctc("vocab.txt", 0, true);
        }
        return preset != null && preset.postprocess() instanceof Postprocess.Classify c
                ? c
                : new Postprocess.Classify("labels.txt", 5, true);
    }

    /** NCHW or NHWC from where the model's input has its 3 channels. */
    private static Preprocess withLayoutOf(TensorSpec input, Preprocess p, Path model) {
        List<Long> shape = input.shape();
        if (!"FLOAT".equals(input.type()) || shape.size() != 4) {
            throw MldevException.failure(
                    "model " + model + " takes " + input.type() + " " + shape + " as '" + input.name()
                            + "'; mldev feeds images as float [N,3,H,W] or [N,H,W,3]",
                    "export the model with a float image input");
        }
        String layout = shape.get(3) == 3 && shape.get(1) != 3 ? "NHWC" : "NCHW";
        return new Preprocess(layout, p.color(), p.resize(), p.scale(), p.mean(), p.std());
    }

    private static void checkOutputs(TensorSpec output, Postprocess post, AuxFile aux, Path model) {
        List<Long> shape = output.shape();
        long classes = shape.isEmpty() ? -1 : shape.get(shape.size() - 1);
        if (classes <= 0 || aux == null) {
            return;
        }
        long expected = post instanceof Postprocess.Ctc ctc
                ? aux.lines().size() + 1 + (ctc.spaceAtEnd() ? 1 : 0)
                : aux.lines().size();
        if (classes != expected) {
            String what = post instanceof Postprocess.Ctc ? "vocabulary" : "labels";
            throw MldevException.usage(
                    what + " " + (aux.source() == null ? "of the preset" : aux.source()) + " has "
                            + aux.lines().size() + " lines, but model " + model.getFileName() + " outputs " + classes
                            + " classes" + (post instanceof Postprocess.Ctc ? " (blank + symbols + space)" : ""),
                    "pass the " + what + " file that belongs to this model with " + aux.option());
        }
    }

    /** One mid-grey image of the bundle's input size through the model: a model that cannot run is refused. */
    private static void smokeTest(ModelSession session, Preprocess p, Path model) {
        Preprocessor preprocessor = new Preprocessor(p);
        Preprocessor.Size size = p.resize().isFixed()
                ? preprocessor.sizeFor(p.resize().width(), p.resize().height())
                : preprocessor.sizeFor(p.resize().height() * 4, p.resize().height());
        float[] data = new float[3 * size.height() * size.width()];
        byte[] grey = new byte[size.width() * size.height() * 3];
        java.util.Arrays.fill(grey, (byte) 128);
        preprocessor.write(new ImageDecoder.BgrImage(grey, size.width(), size.height()), size, data, 0);
        try {
            session.run(data, preprocessor.tensorShape(1, size.height(), size.width()));
        } catch (MldevException e) {
            throw MldevException.failure(
                    "model " + model + " does not run on a " + size.width() + "x" + size.height() + " input: "
                            + e.getMessage(),
                    "check --size / --height against the model's input shape");
        }
    }

    private static List<Double> checkThree(List<Double> values, String option) {
        if (values.size() != 3) {
            throw MldevException.usage(
                    option + " needs three values (one per channel), got " + values.size(),
                    "e.g. " + option + " 0.5,0.5,0.5");
        }
        return values;
    }

    private static List<String> readLines(Path file, String option) {
        requireFile(file, option.substring(2));
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
            while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
                lines.remove(lines.size() - 1);
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requireFile(Path file, String what) {
        if (!Files.exists(file)) {
            throw MldevException.usage(what + " file " + file + " does not exist", "check the path");
        }
        if (!Files.isRegularFile(file)) {
            throw MldevException.usage(what + " " + file + " is not a file", "pass the file itself, not a directory");
        }
    }
}
