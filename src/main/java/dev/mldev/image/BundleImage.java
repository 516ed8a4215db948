package dev.mldev.image;

import dev.mldev.MldevException;
import dev.mldev.bundle.Bundle;
import dev.mldev.bundle.Manifest;
import dev.mldev.bundle.ManifestIo;
import dev.mldev.bundle.Serving;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Records the pushed image in a bundle's serving defaults, where {@code deploy --target vertex} finds it. */
public final class BundleImage {
    private BundleImage() {}

    /** Opens the bundle to be updated, before anything is pushed, so a bad --bundle fails first. */
    public static Bundle open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw MldevException.usage(
                    "--bundle " + dir + " is not a bundle directory",
                    "pass the directory written by 'mldev package' (a .zip cannot be updated in place)");
        }
        return Bundle.open(dir);
    }

    /** Rewrites {@code mldev.json} with {@code serving.image} set, replacing the file in one move. */
    public static void record(Bundle bundle, String image) {
        Manifest manifest = bundle.manifest();
        Serving serving = manifest.serving() == null ? Serving.defaults() : manifest.serving();
        Path file = bundle.dir().resolve(Bundle.MANIFEST);
        Path partial = bundle.dir().resolve("." + Bundle.MANIFEST + ".partial");
        try {
            Files.writeString(partial, ManifestIo.write(manifest.withServing(serving.withImage(image))));
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw MldevException.failure(
                    "cannot update " + file + ": " + e.getMessage(), "check that the bundle directory is writable");
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // nothing left to clean but a hidden file
            }
        }
    }
}
