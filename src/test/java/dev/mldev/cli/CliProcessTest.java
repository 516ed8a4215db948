package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mldev as its own process, where the standard streams and the locale are the real ones. */
class CliProcessTest {
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

    record Finished(int exitCode, String err) {}

    static Finished mldev(ProcessBuilder.Redirect stdout, String locale, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.mldev.cli.Cli"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(stdout)
                .redirectError(home.resolve("err.txt").toFile());
        builder.environment().put("XDG_CACHE_HOME", home.resolve("cache").toString());
        builder.environment().put("XDG_STATE_HOME", home.resolve("state").toString());
        builder.environment().put("LC_ALL", locale);
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Finished(
                process.exitValue(), java.nio.file.Files.readString(home.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    @Test
    void predictToAFullDiskExitsOne() throws Exception {
        Finished r = mldev(
                ProcessBuilder.Redirect.to(new File("/dev/full")),
                "C.UTF-8",
                "predict",
                "--local",
                "--device",
                "cpu",
                "--model",
                cls.toString(),
                image.toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.err())
                .contains("mldev: cannot write the output: standard output is full or closed")
                .doesNotContain("Exception");
    }

    @Test
    void nonAsciiFileNameUnderTheCLocaleSaysWhatToSet() throws Exception {
        assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")), "this JVM must pass the name on as UTF-8");
        Finished r = mldev(
                ProcessBuilder.Redirect.DISCARD,
                "C",
                "predict",
                "--local",
                "--model",
                cls.toString(),
                home.resolve("café.png").toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err())
                .contains("is not a file name mldev can open", "ANSI_X3.4-1968", "LC_ALL=C.UTF-8")
                .doesNotContain("Exception");
        assertThat(r.err().lines().count()).isLessThanOrEqualTo(3);
    }
}
