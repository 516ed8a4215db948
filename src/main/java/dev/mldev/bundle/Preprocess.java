package dev.mldev.bundle;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * How an image becomes the model's input tensor: resize, colour order, value = (pixel * scale - mean) / std,
 * then layout.
 *
 * @param layout {@code NCHW} or {@code NHWC}
 * @param color  {@code rgb} or {@code bgr}: the channel order the model was trained with
 * @param resize fixed size, or a fixed height keeping the aspect ratio
 * @param scale  applied to 0..255 pixel values first, usually 1/255
 */
public record Preprocess(
        String layout, String color, Resize resize, double scale, List<Double> mean, List<Double> std) {

    /**
     * {@code fixed}: stretch to width x height. {@code keep-aspect}: scale to height keeping the aspect
     * ratio, at most maxWidth wide (0: no limit); with padRight the tensor is always maxWidth wide, the image
     * left-aligned and the rest zeros (the value 0 after normalisation, as PaddleOCR pads).
     */
    public record Resize(String mode, int width, int height, int maxWidth, boolean padRight) {
        public static Resize fixed(int width, int height) {
            return new Resize("fixed", width, height, 0, false);
        }

        public static Resize keepAspect(int height, int maxWidth, boolean padRight) {
            return new Resize("keep-aspect", 0, height, maxWidth, padRight);
        }

        @JsonIgnore
        public boolean isFixed() {
            return "fixed".equals(mode);
        }
    }
}
