package dev.mldev.image;

import java.nio.file.Path;

/** Where a built image goes: a registry, or an image tarball on disk named with the reference. */
public sealed interface ImageDestination {
    /** The image reference, e.g. {@code us-central1-docker.pkg.dev/PROJECT/REPO/mldev-serve:1}. */
    String reference();

    record Registry(String reference) implements ImageDestination {}

    /** A {@code docker load}-able tarball (Docker format) or an OCI-layout tarball (OCI format). */
    record Tarball(Path file, String reference) implements ImageDestination {}
}
