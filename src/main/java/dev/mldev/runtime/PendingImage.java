package dev.mldev.runtime;

import java.util.function.Supplier;

/**
 * An image not read yet: its name and how to read its bytes. A stream of predictions reads each one only when
 * its turn is near, so memory follows the batch, not the number of images.
 *
 * @param bytes reads the encoded image; throws MldevException naming the image when it cannot
 */
public record PendingImage(String name, Supplier<byte[]> bytes) {
    public Predictor.Input read() {
        return new Predictor.Input(name, bytes.get());
    }
}
