package dev.mldev.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mldev.Environment;
import dev.mldev.cli.Cli;
import dev.mldev.cli.Terminal;
import java.io.BufferedReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code mldev image push} against a real registry on loopback, read back as a pulling client would. */
class ImagePushCommandTest {
    @TempDir
    Path temp;
    Path app;
    Path jre;
    Path baseTar;

    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void fixtures() throws Exception {
        app = ImageFixtures.appDir(temp.resolve("app"));
        jre = ImageFixtures.fakeJre(temp, "Linux", "x86_64");
        baseTar = ImageFixtures.baseTar(Files.createDirectories(temp.resolve("base")));
    }

    @Test
    void pushesTheServingImageWithItsLayersEntrypointAndEnvironment() throws Exception {
        try (TestRegistry registry = TestRegistry.start(temp)) {
            String ref = registry.host() + "/mldev-serve:1";
            Run run = push(ref);

            assertThat(run.exit()).as(run.err()).isZero();
            RegistryHttp http = new RegistryHttp(registry.base());
            RegistryHttp.Manifest manifest = http.manifest("mldev-serve", "1");
            assertThat(run.out().trim()).isEqualTo(ref + "@" + manifest.digest());
            assertThat(manifest.mediaType()).isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
            assertThat(manifest.layers()).hasSize(4); // base, java runtime, dependencies, mldev

            JsonNode config = http.config("mldev-serve", manifest).get("config");
            assertThat(strings(config.get("Entrypoint"))).containsExactly("/opt/java/bin/java",
                    "-XX:+ExitOnOutOfMemoryError", "-cp", "/app/lib/*", "dev.mldev.cli.Cli", "serve");
            assertThat(strings(config.get("Env"))).contains("JAVA_HOME=/opt/java", "NVIDIA_VISIBLE_DEVICES=all",
                    "PATH=" + ImageFixtures.BASE_ENV.get("PATH"));
            assertThat(config.get("ExposedPorts").has("8080/tcp")).isTrue();

            Map<String, TarArchiveEntry> base = http.layerEntries("mldev-serve", manifest.layerDigest(0));
            Map<String, TarArchiveEntry> runtime = http.layerEntries("mldev-serve", manifest.layerDigest(1));
            Map<String, TarArchiveEntry> dependencies = http.layerEntries("mldev-serve", manifest.layerDigest(2));
            Map<String, TarArchiveEntry> mldev = http.layerEntries("mldev-serve", manifest.layerDigest(3));
            assertThat(base).containsKey("etc/os-release");
            assertThat(runtime.get("opt/java/bin/java").getMode() & 0777).isEqualTo(0755);
            assertThat(runtime.get("opt/java/conf/security/java.security").isFile())
                    .as("a link out of the runtime is copied as the file it points to").isTrue();
            assertThat(runtime).containsKeys("opt/java/release", "opt/java/lib/modules")
                    .doesNotContainKeys("opt/java/jmods/java.base.jmod", "opt/java/lib/src.zip");
            assertThat(files(dependencies)).containsExactlyInAnyOrder(
                    "app/lib/" + ImageFixtures.ORT_JAR, "app/lib/" + ImageFixtures.JACKSON_JAR);
            assertThat(files(mldev)).containsExactly("app/lib/" + ImageFixtures.MLDEV_JAR);
        }
    }

    private Run push(String... args) {
        return mldev(false, withDefaults(args));
    }

    private String[] withDefaults(String... args) {
        List<String> all = new ArrayList<>(List.of("image", "push"));
        all.addAll(List.of(args));
        all.addAll(List.of("--app-dir", app.toString(), "--jre", jre.toString(), "--base", "tar://" + baseTar,
                "--insecure-registry"));
        return all.toArray(String[]::new);
    }

    private Run mldev(boolean tty, String... args) {
        Map<String, String> variables = new HashMap<>();
        variables.put("XDG_CACHE_HOME", temp.resolve("cache").toString());
        Environment env = new Environment(variables, temp.resolve("home"));
        Terminal terminal = new Terminal(tty, false, new BufferedReader(new StringReader("")));
        CommandLine cli = Cli.commandLine(env, terminal);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }

    private static List<String> files(Map<String, TarArchiveEntry> entries) {
        return entries.values().stream().filter(TarArchiveEntry::isFile)
                .map(e -> e.getName().replaceFirst("^/", "")).toList();
    }
}
