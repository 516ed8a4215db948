package dev.mldev.cli;

import static dev.mldev.cli.BadInputTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.mldev.testing.BundleCopies;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Careless input to package and predict: one line naming what is wrong, and the documented exit code. */
class CarelessInputTest {
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
                "--name",
                "careless",
                "--out",
                cls.toString());
        assertThat(r.exitCode).as(r.toString()).isZero();
        image = TextImages.write(TextImages.line("fine"), home.resolve("fine.png"));
    }

    static CliRun predict(String... images) {
        String[] args = Stream.concat(
                        Stream.of("predict", "--local", "--device", "cpu", "--model", cls.toString()),
                        Stream.of(images))
                .toArray(String[]::new);
        return CliRun.run(home, args);
    }

    static CliRun packageCls(String... flags) {
        String[] args = Stream.concat(
                        Stream.of(
                                "package",
                                TestModels.file(TestModels.CLS).toString(),
                                "--preset",
                                "ppocr-cls",
                                "--out",
                                home.resolve("never").toString()),
                        Stream.of(flags))
                .toArray(String[]::new);
        return CliRun.run(home, args);
    }

    @Test
    @Timeout(60) // the old code read /dev/zero until memory ran out
    void deviceIsNotAnImage() {
        assertRefused(predict("/dev/zero"), 2, "image /dev/zero is not a regular file");
    }

    @Test
    void imageOverTheSizeLimitIsRefusedUnread() throws IOException {
        Path big = home.resolve("big.png");
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.setLength(PredictCommand.MAX_IMAGE_BYTES + 1L); // sparse: costs no disk
        }
        assertRefused(predict(big.toString()), 2, "image " + big + " is larger than 64 MiB");
    }

    @Test
    void hugeSizeIsRefused() {
        assertRefused(packageCls("--size", "100000x100000"), 2, "--size width must be 1 to 8192, not 100000");
        assertThat(home.resolve("never")).doesNotExist();
    }

    @Test
    void hugeHeightIsRefused() {
        assertRefused(
                packageCls("--height", "48", "--max-width", "50000"), 2, "--max-width must be 1 to 8192, not 50000");
    }

    @Test
    void zeroStdIsRefused() {
        assertRefused(packageCls("--std", "0,0.5,0.5"), 2, "--std must be finite and non-zero", "not 0.0");
        assertRefused(packageCls("--mean", "NaN,0.5,0.5"), 2, "--mean must be finite, not NaN");
    }

    @Test
    void manifestWithZeroStdIsRefused() throws IOException {
        Path copy = BundleCopies.withManifest(
                cls,
                home.resolve("zero-std"),
                m -> ((ArrayNode) m.with("preprocess").get("std")).set(1, 0.0));
        assertRefused(
                CliRun.run(home, "predict", "--local", "--model", copy.toString(), image.toString()),
                1,
                "preprocess.std must be finite and non-zero",
                "not 0.0");
    }

    @Test
    void manifestWithHugeSideIsRefused() throws IOException {
        Path copy = BundleCopies.withManifest(
                cls,
                home.resolve("huge-side"),
                m -> m.with("preprocess").with("resize").put("height", 100000));
        assertRefused(
                CliRun.run(home, "predict", "--local", "--model", copy.toString(), image.toString()),
                1,
                "preprocess.resize.height must be 1 to 8192, not 100000");
    }

    @Test
    void failedWriteToStdoutIsAFailure() {
        Writer full = new Writer() {
            @Override
            public void write(char[] buffer, int offset, int length) throws IOException {
                throw new IOException("No space left on device");
            }

            @Override
            public void flush() throws IOException {
                throw new IOException("No space left on device");
            }

            @Override
            public void close() {}
        };
        CliRun r = CliRun.run(
                home, full, "predict", "--local", "--device", "cpu", "--model", cls.toString(), image.toString());
        assertRefused(r, 1, "cannot write the output: standard output is full or closed");
    }

    @Test
    void modelWithTargetIsRefused() {
        CliRun r = CliRun.run(home, "predict", "--model", cls.toString(), "--target", "ocr", image.toString());
        assertRefused(r, 2, "--model and --target cannot be combined");
    }

    @Test
    void aDeploymentsErrorNamesTheFileNotItsPlaceInTheRequest() throws IOException {
        Path notes = Files.writeString(home.resolve("README.md"), "# not an image\n");
        CliRun deploy = CliRun.run(home, "deploy", cls.toString());
        assertThat(deploy.exitCode).as(deploy.toString()).isZero();
        try {
            CliRun r = CliRun.run(home, "predict", "--target", "careless", image.toString(), notes.toString());
            assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
            assertThat(r.err)
                    .contains(notes + " is not an image")
                    .doesNotContain("instances[")
                    .doesNotContain("Exception");
            // streamed: the image before the bad one has its result already
            assertThat(r.out.lines()).singleElement().asString().startsWith(image + "  ");

            CliRun going = CliRun.run(
                    home,
                    "predict",
                    "--target",
                    "careless",
                    "--jsonl",
                    "--continue-on-error",
                    notes.toString(),
                    image.toString());
            assertThat(going.exitCode).as(going.toString()).isEqualTo(1);
            List<String> lines = going.out.lines().toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).contains("\"image\":\"" + notes + "\"", "is not an image");
            assertThat(lines.get(1)).contains("\"image\":\"" + image + "\"", "\"label\"");
            assertThat(going.err).contains("1 of 2 images failed");
        } finally {
            CliRun.run(home, "undeploy", "careless", "--yes");
        }
    }

    /** Under LC_ALL=C the JVM cannot encode a non-ASCII name; here an unpaired surrogate stands in for one. */
    @Test
    void fileNameTheJvmCannotEncodeSaysWhatToSet() {
        CliRun r = predict("caf\uD800.png");
        assertRefused(r, 2, "is not a file name mldev can open", "LC_ALL=C.UTF-8");
    }
}
