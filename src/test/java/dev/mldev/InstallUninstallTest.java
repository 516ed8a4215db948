package dev.mldev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** install.sh --uninstall: what it removes, and what it says it leaves (or removes with --purge). */
class InstallUninstallTest {
    @TempDir
    Path temp;

    Path prefix;
    Path home;

    @BeforeEach
    void installed() throws IOException {
        prefix = temp.resolve("prefix");
        home = temp.resolve("home");
        for (String file : List.of(
                "lib/mldev/lib/mldev.jar",
                "bin/mldev",
                "share/bash-completion/completions/mldev",
                "share/mldev/completions/mldev.zsh",
                "share/fish/vendor_completions.d/mldev.fish",
                "share/applications/other.desktop")) {
            write(prefix.resolve(file));
        }
        write(home.resolve(".cache/mldev/prices.json"));
        write(home.resolve(".config/mldev/config.properties"));
        Files.createDirectories(home.resolve(".local/state/mldev/deployments"));
    }

    @Test
    void uninstallRemovesItsDirectoriesAndSaysWhatItLeaves() throws Exception {
        Result result = uninstall();
        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(prefix.resolve("lib")).doesNotExist();
        assertThat(prefix.resolve("bin")).doesNotExist();
        assertThat(prefix.resolve("share/mldev")).doesNotExist();
        assertThat(prefix.resolve("share/bash-completion")).doesNotExist();
        assertThat(prefix.resolve("share/fish")).doesNotExist();
        assertThat(prefix.resolve("share/applications/other.desktop")).exists(); // not mldev's
        assertThat(home.resolve(".cache/mldev")).exists();
        assertThat(result.output)
                .contains("left what mldev wrote: " + home.resolve(".cache/mldev") + " " + home.resolve(".config/mldev")
                        + " " + home.resolve(".local/state/mldev"))
                .contains("--purge");
    }

    @Test
    void purgeRemovesCachesSettingsAndStateWithoutDeployments() throws Exception {
        Result result = uninstall("--purge");
        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(home.resolve(".cache/mldev")).doesNotExist();
        assertThat(home.resolve(".config/mldev")).doesNotExist();
        assertThat(home.resolve(".local/state/mldev")).doesNotExist();
        assertThat(result.output).contains("removed " + home.resolve(".cache/mldev"));
    }

    @Test
    void purgeKeepsTheStateOfDeploymentsThatMayStillRun() throws Exception {
        write(home.resolve(".local/state/mldev/deployments/ocr.json"));
        Result result = uninstall("--purge");
        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(home.resolve(".cache/mldev")).doesNotExist();
        assertThat(home.resolve(".local/state/mldev/deployments/ocr.json")).exists();
        assertThat(result.output).contains("records 1 deployment(s)").contains("mldev status");
    }

    @Test
    void purgeAloneIsRefused() throws Exception {
        Result result = run(List.of("bash", "install.sh", "--purge", "--prefix", prefix.toString()));
        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.output).contains("--purge goes with --uninstall");
        assertThat(prefix.resolve("bin/mldev")).exists();
    }

    private Result uninstall(String... more) throws Exception {
        List<String> command =
                new java.util.ArrayList<>(List.of("bash", "install.sh", "--uninstall", "--prefix", prefix.toString()));
        command.addAll(List.of(more));
        return run(command);
    }

    private Result run(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("XDG_"));
        env.put("HOME", home.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    private record Result(int exitCode, String output) {}

    private static void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "x");
    }
}
