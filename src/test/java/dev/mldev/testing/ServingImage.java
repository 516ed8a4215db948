package dev.mldev.testing;

import dev.mldev.cli.Cli;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The serving image of this build, as {@code mldev image push --tar} writes it, on the small Debian base of
 * {@code scripts/test-base-image}, unpacked once per test JVM into {@code target/serving-image}. The tests that
 * run mldev's container where Google Cloud would (the fake DeployModel and Pipelines) share it.
 */
public final class ServingImage {
    private static final Path DIR = Path.of("target", "serving-image").toAbsolutePath();
    private static ImageRoot root;

    private ServingImage() {}

    /** The unpacked image (built on first use); needs root, see {@link ImageRoot#requireRoot()}. */
    public static synchronized ImageRoot root() {
        ImageRoot.requireRoot();
        if (root == null) {
            Path tar = tarball(DIR.resolve("build"));
            Path unpacked = DIR.resolve("unpacked");
            if (Files.exists(unpacked)) {
                ImageRoot.unpack(tar, unpacked).close(); // a leftover of an earlier run: deleted the safe way
            }
            root = ImageRoot.unpack(tar, unpacked);
            Runtime.getRuntime().addShutdownHook(new Thread(root::close));
        }
        return root;
    }

    /** Writes this build's serving image with {@code mldev image push --tar}; the layer cache persists in build/. */
    static Path tarball(Path dir) {
        try {
            Path app = installedApp(dir.resolve("app"));
            Path tar = dir.resolve("mldev-serve.tar");
            CliRun push = CliRun.run(
                    dir.resolve("home"),
                    "image",
                    "push",
                    "mldev-serve:test",
                    "--tar",
                    tar.toString(),
                    "--app-dir",
                    app.toString(),
                    "--base",
                    "tar://" + testBase());
            if (push.exitCode != 0) {
                throw new IllegalStateException("image push --tar failed: " + push);
            }
            return tar;
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot build the serving image: " + e.getMessage(), e);
        }
    }

    /** The base image tarball {@code scripts/test-base-image} prints (it caches it). */
    public static Path testBase() {
        try {
            Process script = new ProcessBuilder("scripts/test-base-image")
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            String out = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (script.waitFor() != 0) {
                throw new IllegalStateException("scripts/test-base-image failed (exit " + script.exitValue() + ")");
            }
            return Path.of(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * An installed mldev made of this build: lib/ with mldev's jar (this build's classes) and every jar of the
     * test class path, the dependencies with the ONNX Runtime this build uses.
     */
    private static Path installedApp(Path dir) throws IOException, URISyntaxException {
        if (Files.exists(dir)) {
            try (Stream<Path> old = Files.walk(dir)) {
                for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Path classes = Path.of(
                Cli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(lib.resolve("mldev.jar")));
                Stream<Path> walk = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                jar.putNextEntry(
                        new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, jar);
                jar.closeEntry();
            }
        }
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path jar = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(jar) && !Files.exists(lib.resolve(jar.getFileName()))) {
                Files.createSymbolicLink(lib.resolve(jar.getFileName()), jar.toAbsolutePath());
            }
        }
        return dir;
    }
}
