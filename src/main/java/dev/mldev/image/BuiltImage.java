package dev.mldev.image;

import java.util.List;

/**
 * A built (and, for a registry, pushed) image.
 *
 * @param reference the reference it was pushed or written under
 * @param digest    the manifest digest, {@code sha256:...}
 * @param warnings  what the builder warned about, for the user to read
 */
public record BuiltImage(String reference, String digest, String imageId, List<String> warnings) {}
