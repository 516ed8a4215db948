package dev.mldev.image;

import dev.mldev.MldevException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The ONNX Runtime jar as the image carries it: the jar without natives, and the Linux x86-64 libraries unpacked
 * beside it for {@code -Donnxruntime.native.path}. Made once per jar under the cache directory and reused (the
 * GPU jar's libraries are about 400 MB).
 *
 * @param jar     the jar without natives, named as the original
 * @param natives the unpacked libraries, sorted by name
 */
public record UnpackedOnnxRuntime(Path jar, List<Path> natives) {
    private static final String COMPLETE = ".complete";

    /** Unpacks {@code ortJar} under {@code cacheDir}, or finds what an earlier run unpacked. */
    public static UnpackedOnnxRuntime of(Path ortJar, boolean withTensorRt, Path cacheDir) {
        String name = ortJar.getFileName().toString();
        Path dir;
        try {
            dir = cacheDir.resolve("onnxruntime")
                    .resolve(name.replaceAll("\\.jar$", "") + "-" + Files.size(ortJar)
                            + (withTensorRt ? "-tensorrt" : ""));
            if (!Files.exists(dir.resolve(COMPLETE))) {
                Files.createDirectories(dir);
                OnnxRuntimeNatives.unpack(ortJar, OnnxRuntimeNatives.LINUX_X64, withTensorRt, dir.resolve("native"));
                OnnxRuntimeNatives.writeWithoutNatives(ortJar, dir.resolve(name));
                Files.createFile(dir.resolve(COMPLETE));
            }
            try (Stream<Path> files = Files.list(dir.resolve("native"))) {
                return new UnpackedOnnxRuntime(dir.resolve(name), files.sorted().toList());
            }
        } catch (IOException e) {
            throw MldevException.failure(
                    "cannot unpack ONNX Runtime's native libraries from " + ortJar + ": " + e.getMessage(),
                    "check the space and permissions of the cache directory (XDG_CACHE_HOME)");
        }
    }
}
