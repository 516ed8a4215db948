package dev.mldev.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Copies of a bundle directory with their manifest changed, to test how bad manifests are refused. */
public final class BundleCopies {
    private BundleCopies() {}

    /** A copy of {@code bundle} at {@code to} whose mldev.json went through {@code change}. */
    public static Path withManifest(Path bundle, Path to, Consumer<ObjectNode> change) throws IOException {
        Path copy = Files.createDirectories(to);
        try (Stream<Path> files = Files.list(bundle)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        Path manifest = copy.resolve("mldev.json");
        ObjectNode tree = (ObjectNode) new ObjectMapper().readTree(manifest.toFile());
        change.accept(tree);
        Files.writeString(manifest, tree.toString());
        return copy;
    }
}
