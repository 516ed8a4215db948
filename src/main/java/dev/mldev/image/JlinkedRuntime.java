package dev.mldev.image;

import dev.mldev.FileTrees;
import dev.mldev.MldevException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Java runtime made with {@code jlink} from a JDK that has {@code jmods}: only the modules mldev loads, no debug
 * attributes, headers or manuals. No CDS archive of the JDK's classes (two of 11 MB each): the image carries a
 * {@link ServeClassArchive} of the JDK's and mldev's classes instead. Made once per JDK and module list under the
 * cache directory and reused.
 */
public final class JlinkedRuntime {
    /**
     * The modules {@code serve} and {@code predict} need. Found with
     * {@code jdeps --print-module-deps --ignore-missing-deps} over mldev's classes and the {@link ServingJars}, then
     * checked by running the image (ServingImageOnGoogleCloudTest, CloudRunServingImageTest, BatchCommandTest) with
     * {@code -Xlog:class+load}: java.desktop is ImageIO (the image readers), java.net.http the Cloud Storage reads
     * and dedicated endpoints, jdk.crypto.ec the elliptic-curve TLS that Google's endpoints negotiate,
     * jdk.unsupported the sun.misc.Unsafe and Signal that Netty and serve use, java.logging what ONNX Runtime, Guava
     * and google-http-client log through. Left out though jdeps names them: java.sql (jackson-databind and Gson
     * support its date types only when present) and java.naming (Netty's TLS hostname checks; the server is plain
     * HTTP); nothing loads java.management or java.security.jgss since the storage client and gRPC left the image.
     */
    public static final List<String> MODULES =
            List.of("java.base", "java.desktop", "java.logging", "java.net.http", "jdk.crypto.ec", "jdk.unsupported");
    /** Native libraries of java.desktop that a headless server never loads (X11, fonts, sound, splash screen). */
    private static final String EXCLUDED_FILES =
            "**libawt_xawt.so,**libjawt.so,**libsplashscreen.so," + "**libjsound.so,**libfontmanager.so";

    /**
     * What jlink leaves out or shrinks. {@code --compress=2} zips the {@code modules} file (51 MB to 24 MB for
     * {@link #MODULES}) for about 0.1 s more start (docs/performance.md).
     */
    private static final List<String> SHRINK_OPTIONS = List.of(
            "--strip-debug",
            "--no-header-files",
            "--no-man-pages",
            "--compress=2",
            "--exclude-files=" + EXCLUDED_FILES);

    private JlinkedRuntime() {}

    /** Whether {@code jdk} can jlink a runtime: it has its jlink tool and its {@code jmods}. */
    public static boolean canJlink(Path jdk) {
        return Files.isExecutable(jdk.resolve("bin/jlink")) && Files.isRegularFile(jdk.resolve("jmods/java.base.jmod"));
    }

    /**
     * The runtime jlinked from {@code jdk} under {@code cacheDir}, made now unless an earlier run made it. The
     * directory's name says which JDK build and modules it holds, so a changed JDK gets a new one.
     */
    public static JavaRuntime from(Path jdk, Path cacheDir) {
        if (!canJlink(jdk)) {
            throw MldevException.usage(
                    jdk + " cannot make a jlinked runtime (it needs bin/jlink and jmods/)",
                    "install the JDK's jmods (Debian: openjdk-17-jdk, not -jre), or pass --jre DIR or --jre base");
        }
        Path output = cacheDir.resolve("jre").resolve(key(jdk));
        if (!Files.isRegularFile(output.resolve("release"))) {
            jlink(jdk, output);
        }
        return new JavaRuntime(output);
    }

    private static String key(Path jdk) {
        try {
            String release = Files.readString(jdk.resolve("release"), StandardCharsets.UTF_8);
            return Integer.toHexString((release + MODULES + SHRINK_OPTIONS).hashCode());
        } catch (IOException e) {
            throw MldevException.failure("cannot read " + jdk.resolve("release") + ": " + e.getMessage(), null);
        }
    }

    private static void jlink(Path jdk, Path output) {
        Path partial = output.resolveSibling(output.getFileName() + ".partial");
        try {
            Files.createDirectories(output.getParent());
            FileTrees.delete(partial);
            List<String> command = new ArrayList<>(
                    List.of(jdk.resolve("bin/jlink").toString(), "--add-modules", String.join(",", MODULES)));
            command.addAll(SHRINK_OPTIONS);
            command.addAll(List.of("--output", partial.toString()));
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output1 = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw MldevException.failure(
                        "jlink failed to make the image's Java runtime: "
                                + output1.lines().findFirst().orElse("exit " + process.exitValue()),
                        "pass --jre DIR with a Java runtime to copy, or --jre base");
            }
            FileTrees.delete(output);
            Files.move(partial, output);
        } catch (IOException e) {
            throw MldevException.failure(
                    "cannot make the image's Java runtime under " + output.getParent() + ": " + e.getMessage(),
                    "check that the cache directory (XDG_CACHE_HOME) is writable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MldevException.failure("interrupted while running jlink", null);
        }
    }
}
