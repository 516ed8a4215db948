package dev.mldev.bundle;

import dev.mldev.MldevException;
import java.util.List;
import java.util.Map;

/** Known model families with the preprocessing they were trained with (see the test models' README). */
public final class Presets {
    private static final double PIXEL_SCALE = 1 / 255.0;
    private static final List<Double> HALF = List.of(0.5, 0.5, 0.5);

    /**
     * @param needs          the file option the preset cannot do without ("--vocab", "--labels"), or null
     * @param builtinLabels  labels the preset brings itself (ppocr-cls), or empty
     */
    public record Preset(Preprocess preprocess, Postprocess postprocess, String needs, List<String> builtinLabels) {}

    private static final Map<String, Preset> PRESETS = Map.of(
            "ppocr-rec",
                    new Preset(
                            new Preprocess(
                                    "NCHW", "bgr", Preprocess.Resize.keepAspect(48, 0, false), PIXEL_SCALE, HALF, HALF),
                            new Postprocess.Ctc("vocab.txt", 0, true),
                            "--vocab",
                            List.of()),
            "ppocr-cls",
                    new Preset(
                            new Preprocess(
                                    "NCHW",
                                    "bgr",
                                    Preprocess.Resize.keepAspect(48, 192, true),
                                    PIXEL_SCALE,
                                    HALF,
                                    HALF),
                            new Postprocess.Classify("labels.txt", 2, false),
                            null,
                            List.of("0", "180")),
            "imagenet",
                    new Preset(
                            new Preprocess(
                                    "NCHW",
                                    "rgb",
                                    Preprocess.Resize.fixed(224, 224),
                                    PIXEL_SCALE,
                                    List.of(0.485, 0.456, 0.406),
                                    List.of(0.229, 0.224, 0.225)),
                            new Postprocess.Classify("labels.txt", 5, true),
                            "--labels",
                            List.of()));

    private Presets() {}

    public static List<String> names() {
        return PRESETS.keySet().stream().sorted().toList();
    }

    public static Preset named(String name) {
        Preset preset = PRESETS.get(name);
        if (preset == null) {
            throw MldevException.usage("unknown preset '" + name + "'", "use one of: " + String.join(", ", names()));
        }
        return preset;
    }
}
