package dev.mldev.cli;

import static dev.mldev.cli.BadInputTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.testing.BundleCopies;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bundles made to escape their directory or to fill the disk are refused with one line, leaving nothing behind. */
class HostileBundleTest {
    @TempDir
    static Path home;

    static Path cls;
    static Path image;

    @BeforeAll
    static void setUp() {
        cls = home.resolve("cls");
        CliRun r = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.CLS).toString(),
                "--preset",
                "ppocr-cls",
                "--out",
                cls.toString());
        assertThat(r.exitCode).as(r.toString()).isZero();
        image = TextImages.write(TextImages.line("fine"), home.resolve("fine.png"));
    }

    static CliRun predict(Path bundle) {
        return predict(bundle, home.resolve("cache"));
    }

    static CliRun predict(Path bundle, Path cache) {
        return CliRun.run(
                home,
                Map.of("XDG_CACHE_HOME", cache.toString()),
                "predict",
                "--local",
                "--device",
                "cpu",
                "--model",
                bundle.toString(),
                image.toString());
    }

    /** The unpack directories under a cache directory. */
    private static List<Path> unpacked(Path cache) throws IOException {
        Path root = cache.resolve("mldev/unpacked");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.toList();
        }
    }

    @Test
    void labelsFileOutsideTheBundleIsRefused() throws IOException {
        Path copy = BundleCopies.withManifest(
                cls, home.resolve("abs-labels"), m -> m.with("postprocess").put("labels_file", "/etc/hostname"));
        assertRefused(predict(copy), 1, "postprocess.labels_file \"/etc/hostname\" is outside the bundle");
    }

    @Test
    void modelFileClimbingOutIsRefused() throws IOException {
        Path copy = BundleCopies.withManifest(
                cls, home.resolve("climbing-model"), m -> m.with("model").put("file", "../cls/model.onnx"));
        assertRefused(predict(copy), 1, "model.file \"../cls/model.onnx\" is outside the bundle");
    }

    @Test
    void labelsLinkLeadingOutIsRefused() throws IOException {
        Path copy = BundleCopies.withManifest(cls, home.resolve("linked-labels"), m -> {});
        Path outsider = Files.writeString(home.resolve("secret.txt"), "0\n180\n");
        Files.delete(copy.resolve("labels.txt"));
        Files.createSymbolicLink(copy.resolve("labels.txt"), outsider);
        assertRefused(
                predict(copy),
                1,
                "postprocess.labels_file \"labels.txt\" is outside the bundle",
                "a link to " + outsider.toRealPath());
    }

    @Test
    void zipBombStopsAtItsLimitAndLeavesNothing() throws IOException {
        Path bomb = home.resolve("bomb.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(bomb))) {
            zip.putNextEntry(new ZipEntry("model.onnx"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 100; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        assertThat(Files.size(bomb)).isLessThan(1 << 20);
        Path cache = home.resolve("bomb-cache");
        assertRefused(predict(bomb, cache), 1, "bomb.zip is refused: its entry model.onnx unpacks to more than 65 MiB");
        assertThat(unpacked(cache)).isEmpty();
    }

    @Test
    void zipSlipEntryIsRefused() throws IOException {
        Path slip = home.resolve("slip.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(slip))) {
            zip.putNextEntry(new ZipEntry("../../escaped.txt"));
            zip.write("out".getBytes());
            zip.closeEntry();
        }
        Path cache = home.resolve("slip-cache");
        assertRefused(predict(slip, cache), 1, "slip.zip has an entry outside the bundle: ../../escaped.txt");
        assertThat(cache.resolve("escaped.txt")).doesNotExist();
        assertThat(cache.resolve("mldev/escaped.txt")).doesNotExist();
        assertThat(unpacked(cache)).isEmpty();
    }

    /** A zip unpacks under the cache directory, and what a killed process left there goes at the next unpack. */
    @Test
    void zipUnpacksUnderTheCacheAndADeadProcessLeftoverIsSwept() throws Exception {
        Path zipped = home.resolve("cls.zip");
        CliRun packed = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.CLS).toString(),
                "--preset",
                "ppocr-cls",
                "--out",
                zipped.toString(),
                "--zip");
        assertThat(packed.exitCode).as(packed.toString()).isZero();
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Path cache = home.resolve("zip-cache");
        Path leftover = Files.createDirectories(cache.resolve("mldev/unpacked/" + ended.pid() + "-1000-123"));
        Files.writeString(leftover.resolve("model.onnx"), "half-written");

        CliRun r = predict(zipped, cache);

        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("fine.png");
        assertThat(leftover).doesNotExist();
        assertThat(unpacked(cache))
                .singleElement()
                .satisfies(dir -> assertThat(dir.getFileName().toString())
                        .startsWith(ProcessHandle.current().pid() + "-"));
    }
}
