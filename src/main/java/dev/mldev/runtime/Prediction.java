package dev.mldev.runtime;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * One image's answer, the same shape from {@code predict --json}, the server and every target.
 * Only the fields of the bundle's postprocessing are set: {@code text} (ctc), {@code label}/{@code top}
 * (classify), {@code outputs} (raw); {@code score} is the confidence for ctc and classify.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Prediction(
        String image,
        String text,
        String label,
        Double score,
        List<Scored> top,
        Map<String, RawOutput> outputs,
        String provider,
        Timings timingsMs) {

    public record Scored(String label, double score) {}

    public record RawOutput(List<Long> shape, float[] data) {}

    /** Milliseconds spent on this image in each stage; inference is the batch's time shared out. */
    public record Timings(double decode, double preprocess, double inference, double postprocess) {}

    public Prediction withImage(String newImage) {
        return new Prediction(newImage, text, label, score, top, outputs, provider, timingsMs);
    }

    /** The decoded answer without provider and timings, as {@link OutputDecoder}s produce it. */
    public static Prediction of(
            String text, String label, Double score, List<Scored> top, Map<String, RawOutput> outputs) {
        return new Prediction(null, text, label, score, top, outputs, null, null);
    }

    Prediction with(String imageName, String providerName, Timings timings) {
        return new Prediction(imageName, text, label, score, top, outputs, providerName, timings);
    }
}
