package dev.mldev.runtime;

import dev.mldev.MldevException;
import java.util.Objects;

/** What became of one image in a stream of predictions: its prediction, or why it has none. */
public record ImageResult(String image, Prediction prediction, MldevException failure) {
    public ImageResult {
        Objects.requireNonNull(image);
        if ((prediction == null) == (failure == null)) {
            throw new IllegalArgumentException("an image result holds a prediction or a failure");
        }
    }

    public static ImageResult of(Prediction prediction) {
        return new ImageResult(prediction.image(), prediction, null);
    }

    public static ImageResult failed(String image, MldevException failure) {
        return new ImageResult(image, null, failure);
    }

    public boolean ok() {
        return failure == null;
    }
}
