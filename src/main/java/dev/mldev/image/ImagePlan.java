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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the serving image is made of, before anything is built: the base, the layers in the order they change
 * least to most (Java runtime, ONNX Runtime's native libraries, dependency jars, mldev's own jar), and how the
 * container starts.
 */
public record ImagePlan(
        String base,
        List<FileEntriesLayer> layers,
        List<String> entrypoint,
        AbsoluteUnixPath workingDirectory,
        Map<String, String> environment,
        Map<String, String> labels) {

    /**
     * CUDA 12 + cuDNN 9 runtime, what onnxruntime_gpu 1.27 is built against. Ubuntu 24.04 has glibc 2.39, newer
     * than what the copied Java runtime needs (Debian 12's OpenJDK 17 needs symbols up to GLIBC_2.34).
     */
    public static final String DEFAULT_BASE = "nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04";

    /**
     * The container's working directory. The entrypoint's class path is relative to it, as a class archive needs
     * ({@link ServeClassArchive}).
     */
    public static final AbsoluteUnixPath WORKING_DIRECTORY = AbsoluteUnixPath.get("/app");

    static final String LIB_DIR = "lib";
    public static final AbsoluteUnixPath LIB = WORKING_DIRECTORY.resolve(LIB_DIR);
    /** The port Vertex AI sends to when the model does not name one (it also sets AIP_HTTP_PORT to it). */
    public static final int SERVING_PORT = 8080;

    /** Where ONNX Runtime's unpacked native libraries lie in the image. */
    public static final AbsoluteUnixPath NATIVE = AbsoluteUnixPath.get("/app/native");

    /**
     * The serving image: {@code mldev serve} reading the AIP_* variables Vertex AI sets. It carries the jars that
     * serve and predict load ({@link ServingJars}), ONNX Runtime's jar without natives and its Linux x86-64
     * libraries unpacked once, and with a class archive its entrypoint maps the classes serve loads.
     *
     * @param jre     the runtime to copy in, or empty to run the {@code java} the base image has on its PATH
     * @param ort     the application's ONNX Runtime jar, unpacked
     * @param archive the class archive made for this runtime and {@link #classPath}, if any
     */
    public static ImagePlan servingImage(
            String base,
            Optional<JavaRuntime> jre,
            AppLayout app,
            UnpackedOnnxRuntime ort,
            Optional<ServeClassArchive> archive,
            String version) {
        List<Path> jars = classPath(app, ort);
        List<FileEntriesLayer> layers = new ArrayList<>();
        jre.ifPresent(runtime -> layers.add(runtime.layer("java-runtime")));
        layers.add(filesLayer("onnxruntime-native", ort.natives(), NATIVE, FilePermissions.fromOctalString("755")));
        layers.add(filesLayer(
                "dependencies", jars.subList(1, jars.size()), LIB, FilePermissions.DEFAULT_FILE_PERMISSIONS));
        String java =
                jre.isPresent() ? JavaRuntime.IMAGE_PATH.resolve("bin/java").toString() : "java";
        layers.add(mldevLayer(app.mldevJar(), Launcher.write(javaCommand(java, List.of(), LIB + "/*"))));
        archive.ifPresent(classes -> layers.add(classes.layer()));

        List<String> entrypoint = new ArrayList<>(javaCommand(
                java,
                archive.isPresent() ? ServeClassArchive.javaOptions() : List.of(),
                String.join(":", relativeClassPath(jars))));
        entrypoint.add("serve");
        Map<String, String> environment = new LinkedHashMap<>();
        jre.ifPresent(runtime -> environment.put("JAVA_HOME", JavaRuntime.IMAGE_PATH.toString()));
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("org.opencontainers.image.title", "mldev serve");
        labels.put("org.opencontainers.image.version", version);
        return new ImagePlan(
                base,
                List.copyOf(layers),
                List.copyOf(entrypoint),
                WORKING_DIRECTORY,
                Map.copyOf(environment),
                Map.copyOf(labels));
    }

    /**
     * The image's jars in class path order: mldev's own first (a class lookup tries the jars in order, and most
     * of what a start loads is mldev's), then the dependencies by name, ONNX Runtime's jar without natives among
     * them.
     */
    public static List<Path> classPath(AppLayout app, UnpackedOnnxRuntime ort) {
        List<Path> dependencies = new ArrayList<>(app.servingJars());
        dependencies.remove(app.requireOnnxRuntimeJar());
        dependencies.add(ort.jar());
        dependencies.sort(Comparator.comparing(Path::getFileName));
        List<Path> jars = new ArrayList<>(List.of(app.mldevJar()));
        jars.addAll(dependencies);
        return List.copyOf(jars);
    }

    /** The jars' paths relative to {@link #WORKING_DIRECTORY}, in order. */
    static List<String> relativeClassPath(List<Path> jars) {
        return jars.stream().map(jar -> LIB_DIR + "/" + jar.getFileName()).toList();
    }

    /** mldev's command line without its arguments: what the entrypoint and the {@link Launcher} run. */
    static List<String> javaCommand(String java, List<String> options, String classPath) {
        List<String> command = new ArrayList<>(List.of(java, "-XX:+ExitOnOutOfMemoryError"));
        command.addAll(options);
        command.addAll(
                List.of("-D" + OnnxRuntimeNatives.PATH_PROPERTY + "=" + NATIVE, "-cp", classPath, MainClass.NAME));
        return List.copyOf(command);
    }

    /** Uncompressed bytes of all the layers: mldev's share of the image, the base left out. */
    public long bytes() {
        return layers.stream().mapToLong(ImagePlan::bytes).sum();
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
        return FileEntriesLayer.builder()
                .setName("mldev")
                .addEntry(jar, LIB.resolve(jar.getFileName().toString()))
                .addEntry(
                        launcher,
                        Launcher.PATH,
                        FilePermissions.fromOctalString("755"),
                        FileEntriesLayer.DEFAULT_MODIFICATION_TIME)
                .build();
    }

    private static FileEntriesLayer filesLayer(
            String name, List<Path> files, AbsoluteUnixPath dir, FilePermissions permissions) {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(name);
        for (Path file : files) {
            layer.addEntry(
                    file,
                    dir.resolve(file.getFileName().toString()),
                    permissions,
                    FileEntriesLayer.DEFAULT_MODIFICATION_TIME);
        }
        return layer.build();
    }
}
