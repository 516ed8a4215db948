package dev.mldev.runtime;

import dev.mldev.MldevException;

/**
 * Bounds the input tensor a prediction may build, in the CLI and the server alike. A keep-aspect bundle
 * without a maximum width would make a 5000x1 image a 48x240000 tensor (and gigabytes of activations), so an
 * image whose tensor would be wider than {@code maxWidth} is refused; a batch holds at most
 * {@code maxBatchElements} input values (but always at least one image), so padding many images to the
 * widest of them stays bounded too.
 *
 * @param maxWidth         widest tensor an image may need, when the bundle itself sets no maximum width
 * @param maxBatchElements most input values (floats) in one model run of several images
 */
public record TensorBudget(int maxWidth, long maxBatchElements) {
    /** 8192 columns: a 48-high text line up to 170 times as wide as high; 3x48x8192 floats are 4.7 MB. */
    public static final TensorBudget DEFAULT = new TensorBudget(8192, 8L * 1024 * 1024);

    public TensorBudget {
        if (maxWidth < 1 || maxBatchElements < 1) {
            throw new IllegalArgumentException("tensor budget must be positive: " + maxWidth + ", " + maxBatchElements);
        }
    }

    /**
     * Refuses an image (by its declared size, so before decoding where the header is known) whose tensor would
     * be wider than the limit. Throws a usage MldevException naming the image and the limit.
     */
    public void check(Preprocessor preprocessor, String name, int imageWidth, int imageHeight) {
        Preprocessor.Size size = preprocessor.sizeFor(imageWidth, imageHeight);
        if (size.width() > maxWidth && !preprocessor.widthIsBounded()) {
            throw MldevException.usage(
                    "image " + name + " (" + imageWidth + "x" + imageHeight + ") would need a " + size.height() + "x"
                            + size.width() + " input tensor, wider than the limit of " + maxWidth,
                    "crop or split the image so that it is at most " + (long) maxWidth * imageHeight / size.height()
                            + " pixels wide at this height");
        }
    }
}
