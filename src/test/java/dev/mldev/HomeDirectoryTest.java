package dev.mldev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mldev as its own process finds its directories under $HOME, not under the password file's home directory. */
class HomeDirectoryTest {
    @TempDir
    Path temp;

    @Test
    void cachesGoUnderHome() throws Exception {
        Path home = temp.resolve("ci-home");
        Path cls = temp.resolve("cls");
        assertThat(CliRun.run(
                                temp,
                                "package",
                                TestModels.file(TestModels.CLS).toString(),
                                "--preset",
                                "ppocr-cls",
                                "--out",
                                cls.toString())
                        .exitCode)
                .isZero();
        Path image = TextImages.write(TextImages.line("text"), temp.resolve("line.png"));

        ProcessBuilder builder = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.mldev.cli.Cli",
                        "predict",
                        "--local",
                        "--model",
                        cls.toString(),
                        image.toString()))
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("XDG_"));
        builder.environment().put("HOME", home.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        assertThat(home.resolve(".cache/mldev")).isDirectory();
    }
}
