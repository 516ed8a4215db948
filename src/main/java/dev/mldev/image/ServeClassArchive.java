package dev.mldev.image;

import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import dev.mldev.FileTrees;
import dev.mldev.MainClass;
import dev.mldev.MldevException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * An AppCDS archive of the classes {@code serve} loads from its start to its first predictions, for the serving
 * image: the image's java maps them instead of loading and verifying each (docs/performance.md has the figures).
 * <p>
 * Made by a {@link ServeTraining} run of the image's own java and jars laid out as in the image, because the JVM
 * takes an archive only for the class path it was made with: each jar's size and modification time must match
 * (the image's files all have jib's fixed time), and Java 17 refuses a class path moved to other absolute paths, so
 * the class path is relative to the image's working directory ({@link ImagePlan#WORKING_DIRECTORY}). Made once per
 * runtime and jars under the cache directory; a failed training fails the build, since the image would fail to
 * serve the same way.
 */
public record ServeClassArchive(Path file) {
    public static final AbsoluteUnixPath IMAGE_PATH = ImagePlan.WORKING_DIRECTORY.resolve("serve.jsa");

    private static final String ARCHIVE = "serve.jsa";

    /**
     * The archive for this runtime and these jars ({@link ImagePlan#classPath}), made now unless an earlier run made
     * it.
     *
     * @param nativeDir ONNX Runtime's unpacked libraries, which the training run loads
     */
    public static ServeClassArchive of(JavaRuntime jre, List<Path> jars, Path nativeDir, Path cacheDir) {
        Path dir = cacheDir.resolve("serve-cds").resolve(key(jre, jars));
        Path archive = dir.resolve(ARCHIVE);
        if (!Files.isRegularFile(archive)) {
            make(jre, jars, nativeDir, dir);
        }
        return new ServeClassArchive(archive);
    }

    /** The JVM options that make the image's java use the archive. */
    public static List<String> javaOptions() {
        return List.of("-XX:SharedArchiveFile=" + IMAGE_PATH, "-Xshare:auto");
    }

    /** The archive as the image's last layer: it changes with every change to mldev's jar. */
    public FileEntriesLayer layer() {
        return FileEntriesLayer.builder()
                .setName("serve-class-archive")
                .addEntry(file, IMAGE_PATH)
                .build();
    }

    private static void make(JavaRuntime jre, List<Path> jars, Path nativeDir, Path dir) {
        Path java = jre.home().resolve("bin/java");
        Path partial = null;
        try {
            Files.createDirectories(dir.getParent());
            partial = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".partial-");
            Path app = stage(jars, partial);
            String cp = String.join(":", ImagePlan.relativeClassPath(jars));
            Path classList = new ServeTraining(java, app, cp, nativeDir).classList(partial);
            ServeTraining.runToEnd(
                    new ProcessBuilder(
                                    java.toString(),
                                    "-Xshare:dump",
                                    "-XX:SharedClassListFile=" + classList,
                                    "-XX:SharedArchiveFile=" + partial.resolve(ARCHIVE),
                                    "-cp",
                                    cp)
                            .directory(app.toFile()),
                    partial.resolve("dump.log"),
                    "archiving the classes serve loads");
            // the check the image's java makes: with -Xshare:on a mismatch fails instead of passing unnoticed
            ServeTraining.runToEnd(
                    new ProcessBuilder(
                                    java.toString(),
                                    "-Xshare:on",
                                    "-XX:SharedArchiveFile=" + partial.resolve(ARCHIVE),
                                    "-cp",
                                    cp,
                                    MainClass.NAME,
                                    "--version")
                            .directory(app.toFile()),
                    partial.resolve("check.log"),
                    "checking the class archive");
            Files.createDirectories(dir);
            Files.move(partial.resolve(ARCHIVE), dir.resolve(ARCHIVE), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw MldevException.failure(
                    "cannot make the serving image's class archive under " + dir.getParent() + ": " + e.getMessage(),
                    "check the space and permissions of the cache directory (XDG_CACHE_HOME)");
        } finally {
            if (partial != null) {
                FileTrees.deleteQuietly(partial);
            }
        }
    }

    /** Copies the jars to {@code dir/app/lib} with the modification time jib gives every file in the image. */
    private static Path stage(List<Path> jars, Path dir) throws IOException {
        Path app = dir.resolve("app");
        Path lib = Files.createDirectories(app.resolve(ImagePlan.LIB_DIR));
        FileTime imageTime = FileTime.from(FileEntriesLayer.DEFAULT_MODIFICATION_TIME);
        for (Path jar : jars) {
            Path copy = Files.copy(jar, lib.resolve(jar.getFileName().toString()));
            Files.setLastModifiedTime(copy, imageTime);
        }
        return app;
    }

    /** Names the runtime and each jar by path, size and time: a changed jar or runtime gets a new archive. */
    private static String key(JavaRuntime jre, List<Path> jars) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            List<String> parts = new ArrayList<>(List.of(jre.home().toRealPath().toString()));
            parts.add(Files.readString(jre.home().resolve("release"), StandardCharsets.UTF_8));
            for (Path jar : jars) {
                parts.add(jar.toRealPath() + " " + Files.size(jar) + " " + Files.getLastModifiedTime(jar));
            }
            parts.add(ServeTraining.VERSION);
            digest.update(String.join("\n", parts).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (IOException e) {
            throw MldevException.failure(
                    "cannot read the image's runtime or jars: " + e.getMessage(), "reinstall mldev (./install.sh)");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
