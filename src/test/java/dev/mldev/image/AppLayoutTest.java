package dev.mldev.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.MldevException;
import dev.mldev.cli.Cli;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppLayoutTest {
    @TempDir
    Path temp;

    @Test
    void splitsMldevsJarFromItsDependencies() throws Exception {
        Path app = ImageFixtures.appDir(temp.resolve("app"));

        AppLayout layout = AppLayout.of(app);

        assertThat(layout.mldevJar().getFileName().toString()).isEqualTo(ImageFixtures.MLDEV_JAR);
        assertThat(layout.dependencyJars())
                .extracting(p -> p.getFileName().toString())
                .containsExactly(ImageFixtures.BIGQUERY_JAR, ImageFixtures.JACKSON_JAR, ImageFixtures.ORT_JAR);
        assertThat(layout.servingJars())
                .extracting(p -> p.getFileName().toString())
                .containsExactly(ImageFixtures.JACKSON_JAR, ImageFixtures.ORT_JAR);
        assertThat(AppLayout.of(app.resolve("lib"))).isEqualTo(layout);
    }

    @Test
    void findsTheInstalledApplicationFromWhereTheCliClassWasLoaded() throws Exception {
        Path app = ImageFixtures.appDir(temp.resolve("app"));
        Path installed = app.resolve("lib").resolve(ImageFixtures.MLDEV_JAR);
        // the real Cli class, in the installed jar, loaded from there as an installed mldev loads it
        try (InputStream cliClass = Cli.class.getResourceAsStream("Cli.class");
                JarOutputStream jar = new JarOutputStream(Files.newOutputStream(installed))) {
            jar.putNextEntry(new JarEntry(AppLayout.MARKER_CLASS));
            cliClass.transferTo(jar);
        }
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {installed.toUri().toURL()}, null)) {
            Class<?> cli = Class.forName("dev.mldev.cli.Cli", false, loader);

            AppLayout layout = AppLayout.ofRunning(cli);

            assertThat(layout.mldevJar()).isEqualTo(installed);
            assertThat(layout.dependencyJars()).hasSize(3);
        }
    }

    @Test
    void runningFromBuildClassesAsksForAnAppDir() {
        assertThatThrownBy(() -> AppLayout.ofRunning(Cli.class))
                .isInstanceOfSatisfying(MldevException.class, e -> {
                    assertThat(e.kind()).isEqualTo(MldevException.Kind.USAGE);
                    assertThat(e.hint()).contains("--app-dir");
                })
                .hasMessageContaining("not from an installed application");
    }

    @Test
    void tellsTheGpuOnnxRuntimeFromTheCpuOnlyOne() throws Exception {
        Path app = ImageFixtures.appDir(temp.resolve("app"));
        assertThat(AppLayout.of(app).hasGpuOnnxRuntime()).isTrue();

        Path lib = app.resolve("lib");
        Files.move(lib.resolve(ImageFixtures.ORT_JAR), lib.resolve("onnxruntime-1.26.0.jar"));
        assertThat(AppLayout.of(app).hasGpuOnnxRuntime()).isFalse();
        assertThat(AppLayout.of(app).onnxRuntimeJar()).contains(lib.resolve("onnxruntime-1.26.0.jar"));

        Files.delete(lib.resolve("onnxruntime-1.26.0.jar"));
        assertThat(AppLayout.of(app).onnxRuntimeJar()).isEmpty();
    }

    @Test
    void twoMldevJarsAreRefused() throws Exception {
        Path app = ImageFixtures.appDir(temp.resolve("app"));
        Files.copy(app.resolve("lib").resolve(ImageFixtures.MLDEV_JAR), app.resolve("lib/mldev-0.0.9.jar"));

        assertThatThrownBy(() -> AppLayout.of(app)).hasMessageContaining("holds 2 mldev jars");
    }
}
