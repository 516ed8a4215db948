package dev.mldev.image;

import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import dev.mldev.MainClass;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the serving image is made of, before anything is built: the base, the layers in the order they change
 * least to most (Java runtime, dependency jars, mldev's own jar), and how the container starts.
 */
public record ImagePlan(String base, List<FileEntriesLayer> layers, List<String> entrypoint,
                        Map<String, String> environment, Map<String, String> labels) {

    /**
     * CUDA 12 + cuDNN 9 runtime, what onnxruntime_gpu 1.27 is built against. Ubuntu 24.04 has glibc 2.39, newer
     * than what the copied Java runtime needs (Debian 12's OpenJDK 17 needs symbols up to GLIBC_2.34).
     */
    public static final String DEFAULT_BASE = "nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04";
    public static final AbsoluteUnixPath LIB = AbsoluteUnixPath.get("/app/lib");
    /** The port Vertex AI sends to when the model does not name one (it also sets AIP_HTTP_PORT to it). */
    public static final int SERVING_PORT = 8080;

    /**
     * The serving image: {@code mldev serve} reading the AIP_* variables Vertex AI sets.
     *
     * @param jre the runtime to copy in, or empty to run the {@code java} the base image has on its PATH
     */
    public static ImagePlan servingImage(String base, Optional<JavaRuntime> jre, AppLayout app, String version) {
        List<FileEntriesLayer> layers = new ArrayList<>();
        jre.ifPresent(runtime -> layers.add(runtime.layer("java-runtime")));
        layers.add(jarsLayer("dependencies", app.dependencyJars()));
        String java = jre.isPresent() ? JavaRuntime.IMAGE_PATH.resolve("bin/java").toString() : "java";
        List<String> javaCommand = javaCommand(java);
        layers.add(mldevLayer(app.mldevJar(), Launcher.write(javaCommand)));

        List<String> entrypoint = new ArrayList<>(javaCommand);
        entrypoint.add("serve");
        Map<String, String> environment = new LinkedHashMap<>();
        jre.ifPresent(runtime -> environment.put("JAVA_HOME", JavaRuntime.IMAGE_PATH.toString()));
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("org.opencontainers.image.title", "mldev serve");
        labels.put("org.opencontainers.image.version", version);
        return new ImagePlan(base, List.copyOf(layers), List.copyOf(entrypoint), Map.copyOf(environment),
                Map.copyOf(labels));
    }

    /** mldev's command line without its arguments: what the entrypoint and the {@link Launcher} both run. */
    static List<String> javaCommand(String java) {
        return List.of(java, "-XX:+ExitOnOutOfMemoryError", "-cp", LIB + "/*", MainClass.NAME);
    }

    /** Uncompressed bytes of a layer's files: what the dry run shows. */
    public static long bytes(FileEntriesLayer layer) {
        long total = 0;
        for (FileEntry entry : layer.getEntries()) {
            try {
                total += Files.size(entry.getSourceFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return total;
    }

    /** mldev's own jar and the launcher that runs it: the layer a change to mldev replaces. */
    private static FileEntriesLayer mldevLayer(Path jar, Path launcher) {
        return FileEntriesLayer.builder().setName("mldev")
                .addEntry(jar, LIB.resolve(jar.getFileName().toString()))
                .addEntry(launcher, Launcher.PATH, FilePermissions.fromOctalString("755"),
                        FileEntriesLayer.DEFAULT_MODIFICATION_TIME)
                .build();
    }

    private static FileEntriesLayer jarsLayer(String name, List<Path> jars) {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(name);
        for (Path jar : jars) {
            layer.addEntry(jar, LIB.resolve(jar.getFileName().toString()));
        }
        return layer.build();
    }
}
