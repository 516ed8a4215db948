package dev.mldev.image;

import dev.mldev.MldevException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

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

    /**
     * The application's ONNX Runtime: the libraries the install already unpacked beside {@code lib/} (install.sh and
     * the release archives take them out of the jar), else the jar unpacked under {@code cacheDir}.
     */
    public static UnpackedOnnxRuntime of(AppLayout app, boolean withTensorRt, Path cacheDir) {
        Path jar = app.requireOnnxRuntimeJar();
        Path installed = app.libDir().resolveSibling("native");
        if (Files.isDirectory(installed) && !holdsNatives(jar)) {
            try (Stream<Path> files = Files.list(installed)) {
                return new UnpackedOnnxRuntime(
                        jar,
                        files.filter(f -> withTensorRt || !OnnxRuntimeNatives.isTensorRt(f))
                                .sorted()
                                .toList());
            } catch (IOException e) {
                throw MldevException.failure(
                        "cannot read " + installed + ": " + e.getMessage(), "reinstall mldev (./install.sh)");
            }
        }
        return of(jar, withTensorRt, cacheDir);
    }

    /** The directory the libraries lie in, as {@code -Donnxruntime.native.path} names it. */
    public Path nativeDir() {
        if (natives.isEmpty()) {
            throw MldevException.usage(
                    jar + " has no Linux x86-64 native libraries", "reinstall mldev (./install.sh) on Linux x86-64");
        }
        return natives.get(0).getParent();
    }

    private static boolean holdsNatives(Path jar) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return !OnnxRuntimeNatives.entries(zip, OnnxRuntimeNatives.LINUX_X64, true)
                    .isEmpty();
        } catch (IOException e) {
            throw MldevException.usage("cannot read " + jar + ": " + e.getMessage(), "reinstall mldev (./install.sh)");
        }
    }

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
