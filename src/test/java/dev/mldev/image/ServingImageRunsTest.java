package dev.mldev.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.cli.Cli;
import dev.mldev.testing.CliRun;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The image made with the Java runtime running this test (the default --jre): pulled back layer by layer into a
 * root directory, its Java runtime runs mldev from the image's class path. No container runtime needed.
 */
class ServingImageRunsTest {
    @TempDir
    Path temp;

    @Test
    void theCopiedJavaRuntimeRunsMldevFromTheImageClassPath() throws Exception {
        Path app = realMldevApp(temp.resolve("app"));
        Path baseTar = ImageFixtures.baseTar(Files.createDirectories(temp.resolve("base")));
        try (TestRegistry registry = TestRegistry.start(temp)) {
            String ref = registry.host() + "/mldev-serve:1";
            CliRun run = CliRun.run(
                    temp.resolve("home"),
                    "image",
                    "push",
                    ref,
                    "--app-dir",
                    app.toString(),
                    "--base",
                    "tar://" + baseTar,
                    "--insecure-registry",
                    // this app has a stand-in ONNX Runtime and no Netty, so serve's training run cannot work;
                    // ServingImageOnGoogleCloudTest covers the archive with a real install
                    "--no-class-archive");

            assertThat(run.exitCode).as(run.err).isZero();
            RegistryHttp http = new RegistryHttp(registry.base());
            RegistryHttp.Manifest manifest = http.manifest("mldev-serve", "1");
            Path root = Files.createDirectories(temp.resolve("rootfs"));
            for (int layer = 0; layer < manifest.layers().size(); layer++) {
                extract(http.blob("mldev-serve", manifest.layerDigest(layer)), root);
            }
            assertThat(root.resolve("etc/os-release")).exists();
            // an OpenJDK finds what it loads beside itself: the machine's libraries it needs were copied in
            JavaRuntime.SystemLibraries libraries = JavaRuntime.running().systemLibraries();
            assertThat(libraries.missing()).isEmpty();
            libraries
                    .copied()
                    .keySet()
                    .forEach(library -> assertThat(root.resolve("opt/java").resolve(library))
                            .isRegularFile());

            // the image's entrypoint with its absolute paths moved under the root directory, asking for --version
            Process java = new ProcessBuilder(
                            root.resolve("opt/java/bin/java").toString(),
                            "-XX:+ExitOnOutOfMemoryError",
                            "-cp",
                            root.resolve("app/lib") + "/*",
                            "dev.mldev.cli.Cli",
                            "--version")
                    .redirectErrorStream(true)
                    .start();
            assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(java.exitValue()).as(output).isZero();
            assertThat(output).startsWith("mldev ");
        }
    }

    /** An installed mldev made of this build's classes, the one library --version needs (picocli) and an ONNX Runtime jar. */
    private static Path realMldevApp(Path dir) throws IOException, URISyntaxException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Path classes = Path.of(
                Cli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(lib.resolve("mldev-0.1.0.jar")));
                Stream<Path> walk = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                jar.putNextEntry(
                        new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, jar);
                jar.closeEntry();
            }
        }
        Path picocli = Path.of(CommandLine.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        Files.copy(picocli, lib.resolve(picocli.getFileName()));
        // the image needs an ONNX Runtime jar to unpack; --version does not load it, so the small fixture will do
        Path fixture = ImageFixtures.appDir(dir.resolveSibling("fixture-app")).resolve("lib");
        Files.copy(fixture.resolve(ImageFixtures.ORT_JAR), lib.resolve(ImageFixtures.ORT_JAR));
        return dir;
    }

    private static void extract(byte[] gzippedLayer, Path root) throws IOException {
        try (InputStream gzip = new GZIPInputStream(new ByteArrayInputStream(gzippedLayer));
                TarArchiveInputStream tar = new TarArchiveInputStream(gzip)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                Path target =
                        root.resolve(entry.getName().replaceFirst("^/", "")).normalize();
                assertThat(target.startsWith(root)).as(entry.getName()).isTrue();
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else if (entry.isFile()) {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target);
                    Files.setPosixFilePermissions(target, permissions(entry.getMode()));
                }
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        List<PosixFilePermission> bits = new ArrayList<>(List.of(PosixFilePermission.values()));
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        // PosixFilePermission's order is owner rwx, group rwx, others rwx: bit 8 down to bit 0
        for (int i = 0; i < 9; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                set.add(bits.get(i));
            }
        }
        return set;
    }
}
