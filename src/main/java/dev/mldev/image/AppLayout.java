package dev.mldev.image;

import dev.mldev.MldevException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * The installed application the image is made of: {@code lib/*.jar}, split into mldev's own jar (the one holding
 * the CLI's main class) and every other jar (the dependencies). The split is what lets a code change push one
 * small layer.
 */
public record AppLayout(Path libDir, Path mldevJar, List<Path> dependencyJars) {
    /** The class every mldev jar holds; it identifies mldev's own jar among the dependencies. */
    static final String MARKER_CLASS = "dev/mldev/cli/Cli.class";

    /** The application directory holding {@code lib/} (or that {@code lib/} itself). */
    public static AppLayout of(Path appDir) {
        Path lib = Files.isDirectory(appDir.resolve("lib")) ? appDir.resolve("lib") : appDir;
        if (!Files.isDirectory(lib)) {
            throw MldevException.usage(
                    "application directory " + appDir + " does not exist",
                    "pass --app-dir with the directory of an installed mldev (the one holding lib/)");
        }
        List<Path> jars = jarsIn(lib);
        List<Path> mldev = new ArrayList<>();
        List<Path> dependencies = new ArrayList<>();
        for (Path jar : jars) {
            (holdsMarker(jar) ? mldev : dependencies).add(jar);
        }
        if (mldev.isEmpty()) {
            throw MldevException.usage(
                    lib + " holds no mldev jar (none contains " + MARKER_CLASS + ")",
                    "pass --app-dir with the directory of an installed mldev (the one holding lib/)");
        }
        if (mldev.size() > 1) {
            throw MldevException.failure(
                    lib + " holds " + mldev.size() + " mldev jars: "
                            + mldev.stream()
                                    .map(p -> p.getFileName().toString())
                                    .toList(),
                    "remove the stale ones so that exactly one version of mldev is installed");
        }
        return new AppLayout(lib, mldev.get(0), List.copyOf(dependencies));
    }

    /** The application the running mldev was started from, found through the code source of {@code anchor}. */
    public static AppLayout ofRunning(Class<?> anchor) {
        CodeSource source = anchor.getProtectionDomain().getCodeSource();
        Path location;
        try {
            location = source == null ? null : Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            location = null;
        }
        if (location == null || !Files.isRegularFile(location)) {
            throw MldevException.usage(
                    "this mldev runs from " + (location == null ? "an unknown location" : location)
                            + ", not from an installed application with lib/*.jar",
                    "pass --app-dir with the directory of an installed mldev (the one holding lib/)");
        }
        return of(location.getParent());
    }

    /**
     * The ONNX Runtime jar among the dependencies, by Maven's file name: {@code onnxruntime_gpu-*.jar} for the GPU
     * build, {@code onnxruntime-*.jar} for the CPU-only one ({@code install.sh --cpu}); empty when there is none.
     */
    public java.util.Optional<Path> onnxRuntimeJar() {
        return dependencyJars.stream()
                .filter(jar -> jar.getFileName().toString().matches("onnxruntime(_gpu)?-\\d.*\\.jar"))
                .findFirst();
    }

    /** The dependency jars that {@code serve} and {@code predict} load, the ONNX Runtime jar among them. */
    public List<Path> servingJars() {
        requireOnnxRuntimeJar();
        return dependencyJars.stream()
                .filter(jar -> ServingJars.isKept(jar.getFileName().toString()))
                .toList();
    }

    /** The ONNX Runtime jar, which serve needs, or a usage error saying how to get an install that has it. */
    public Path requireOnnxRuntimeJar() {
        return onnxRuntimeJar()
                .orElseThrow(() -> MldevException.usage(
                        libDir + " holds no ONNX Runtime jar (onnxruntime_gpu-*.jar), which serve needs",
                        "reinstall mldev (./install.sh), or pass --app-dir with a complete install"));
    }

    /** Whether the ONNX Runtime in the application can use CUDA. */
    public boolean hasGpuOnnxRuntime() {
        return onnxRuntimeJar()
                .map(jar -> jar.getFileName().toString().startsWith("onnxruntime_gpu-"))
                .orElse(false);
    }

    private static List<Path> jarsIn(Path lib) {
        try (Stream<Path> files = Files.list(lib)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw MldevException.failure("cannot list " + lib + ": " + e.getMessage(), null);
        }
    }

    private static boolean holdsMarker(Path jar) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.getEntry(MARKER_CLASS) != null;
        } catch (IOException e) {
            throw MldevException.failure(
                    jar + " is not a readable jar: " + e.getMessage(),
                    "reinstall mldev; the application directory is damaged");
        }
    }
}
