package dev.mldev.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mldev.Environment;
import dev.mldev.bundle.Bundle;
import dev.mldev.bundle.Manifest;
import dev.mldev.bundle.Serving;
import dev.mldev.cli.Cli;
import dev.mldev.cli.Terminal;
import dev.mldev.testing.CliRun;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code mldev image push} against a real registry on loopback, read back as a pulling client would. */
class ImagePushCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    Path app;
    Path jre;
    Path baseTar;

    record Run(int exit, String out, String err) {}

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
            assertThat(run.err()).doesNotContain("ONNX Runtime", "loads libraries");
            RegistryHttp http = new RegistryHttp(registry.base());
            RegistryHttp.Manifest manifest = http.manifest("mldev-serve", "1");
            assertThat(run.out().trim()).isEqualTo(ref + "@" + manifest.digest());
            assertThat(manifest.mediaType()).isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
            assertThat(manifest.layers()).hasSize(5); // base, java runtime, ORT natives, dependencies, mldev

            JsonNode config = http.config("mldev-serve", manifest).get("config");
            assertThat(strings(config.get("Entrypoint")))
                    .containsExactly(
                            "/opt/java/bin/java",
                            "-XX:+ExitOnOutOfMemoryError",
                            "-Donnxruntime.native.path=/app/native",
                            "-cp",
                            "lib/" + ImageFixtures.MLDEV_JAR + ":lib/" + ImageFixtures.JACKSON_JAR + ":lib/"
                                    + ImageFixtures.ORT_JAR,
                            "dev.mldev.cli.Cli",
                            "serve");
            assertThat(config.get("WorkingDir").asText()).isEqualTo("/app");
            assertThat(strings(config.get("Env")))
                    .contains(
                            "JAVA_HOME=/opt/java",
                            "NVIDIA_VISIBLE_DEVICES=all",
                            "PATH=" + ImageFixtures.BASE_ENV.get("PATH"));
            assertThat(config.get("ExposedPorts").has("8080/tcp")).isTrue();

            Map<String, TarArchiveEntry> base = http.layerEntries("mldev-serve", manifest.layerDigest(0));
            Map<String, TarArchiveEntry> runtime = http.layerEntries("mldev-serve", manifest.layerDigest(1));
            Map<String, TarArchiveEntry> natives = http.layerEntries("mldev-serve", manifest.layerDigest(2));
            Map<String, TarArchiveEntry> dependencies = http.layerEntries("mldev-serve", manifest.layerDigest(3));
            Map<String, TarArchiveEntry> mldev = http.layerEntries("mldev-serve", manifest.layerDigest(4));
            assertThat(base).containsKey("etc/os-release");
            assertThat(runtime.get("opt/java/bin/java").getMode() & 0777).isEqualTo(0755);
            assertThat(runtime.get("opt/java/conf/security/java.security").isFile())
                    .as("a link out of the runtime is copied as the file it points to")
                    .isTrue();
            assertThat(runtime)
                    .containsKeys("opt/java/release", "opt/java/lib/modules")
                    .doesNotContainKeys("opt/java/jmods/java.base.jmod", "opt/java/lib/src.zip");
            assertThat(files(natives))
                    .containsExactlyInAnyOrder(
                            "app/native/libonnxruntime.so", "app/native/libonnxruntime_providers_cuda.so");
            assertThat(natives.get("app/native/libonnxruntime.so").getMode() & 0777)
                    .isEqualTo(0755);
            assertThat(files(dependencies))
                    .containsExactlyInAnyOrder(
                            "app/lib/" + ImageFixtures.ORT_JAR, "app/lib/" + ImageFixtures.JACKSON_JAR);
            // mldev's jar and the launcher a pipeline component's command calls (it replaces the entrypoint)
            assertThat(files(mldev))
                    .containsExactlyInAnyOrder("app/lib/" + ImageFixtures.MLDEV_JAR, "usr/local/bin/mldev");
            assertThat(mldev.get("usr/local/bin/mldev").getMode() & 0777).isEqualTo(0755);
        }
    }

    @Test
    void aSecondPushAfterChangingOnlyMldevUploadsExactlyOneNewLayer() throws Exception {
        try (TestRegistry registry = TestRegistry.start(temp)) {
            assertThat(push(registry.host() + "/mldev-serve:1").exit()).isZero();
            List<String> blobsBefore = registry.blobDigests();
            int mark = registry.logMark();
            ImageFixtures.writeMldevJar(app, "build 2");

            Run second = push(registry.host() + "/mldev-serve:2");

            assertThat(second.exit()).as(second.err()).isZero();
            RegistryHttp http = new RegistryHttp(registry.base());
            RegistryHttp.Manifest first = http.manifest("mldev-serve", "1");
            RegistryHttp.Manifest next = http.manifest("mldev-serve", "2");
            for (int layer = 0; layer < 4; layer++) {
                assertThat(next.layerDigest(layer)).isEqualTo(first.layerDigest(layer));
            }
            assertThat(next.layerDigest(4)).isNotEqualTo(first.layerDigest(4));
            // over the wire: the new mldev layer and the new container config, nothing else
            assertThat(registry.blobsUploadedSince(mark))
                    .containsExactlyInAnyOrder(next.layerDigest(4), next.configDigest());
            List<String> stored = new ArrayList<>(registry.blobDigests());
            stored.removeAll(blobsBefore);
            // the registry keeps manifests as blobs too
            assertThat(stored).containsExactlyInAnyOrder(next.layerDigest(4), next.configDigest(), next.digest());
        }
    }

    @Test
    void aBaseImageFromTheRegistryWorksAndItsLayersAreMountedNotCopied() throws Exception {
        try (TestRegistry registry = TestRegistry.start(temp)) {
            String base = registry.host() + "/cuda-base:test";
            Run pushBase = mldev(
                    false,
                    "image",
                    "push",
                    base,
                    "--app-dir",
                    app.toString(),
                    "--jre",
                    "base",
                    "--base",
                    "tar://" + baseTar,
                    "--insecure-registry");
            assertThat(pushBase.exit()).as(pushBase.err()).isZero();
            int mark = registry.logMark();

            Run run = mldev(
                    false,
                    "image",
                    "push",
                    registry.host() + "/mldev-serve:1",
                    "--app-dir",
                    app.toString(),
                    "--jre",
                    jre.toString(),
                    "--base",
                    base,
                    "--insecure-registry");

            assertThat(run.exit()).as(run.err()).isZero();
            RegistryHttp http = new RegistryHttp(registry.base());
            RegistryHttp.Manifest baseManifest = http.manifest("cuda-base", "test");
            RegistryHttp.Manifest manifest = http.manifest("mldev-serve", "1");
            // the base pushed with --jre base: java from the base's PATH, no runtime layer
            JsonNode baseConfig = http.config("cuda-base", baseManifest).get("config");
            assertThat(strings(baseConfig.get("Entrypoint")).get(0)).isEqualTo("java");
            assertThat(baseManifest.layers()).hasSize(4);
            assertThat(manifest.layers()).hasSize(8);
            List<String> baseLayers = new ArrayList<>();
            for (int layer = 0; layer < 4; layer++) {
                assertThat(manifest.layerDigest(layer)).isEqualTo(baseManifest.layerDigest(layer));
                baseLayers.add(baseManifest.layerDigest(layer));
            }
            // the base's layers were mounted from its repository, not downloaded and uploaded again; so was the
            // dependency layer, which the base (made from the same app) already has. The mldev layer is new: its
            // launcher runs the copied java, the base's runs the java on its PATH
            assertThat(registry.blobsUploadedSince(mark))
                    .containsExactlyInAnyOrder(
                            manifest.layerDigest(4), manifest.layerDigest(7), manifest.configDigest());
            assertThat(registry.log().substring(mark)).contains("mount=" + baseLayers.get(0) + "&from=cuda-base");
        }
    }

    @Test
    void theProgressBarOnATerminalReachesTheEnd() throws Exception {
        try (TestRegistry registry = TestRegistry.start(temp)) {
            String ref = registry.host() + "/mldev-serve:1";
            Run run = mldev(true, withDefaults(ref));

            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.err())
                    .contains(
                            "building " + ref + " on tar://",
                            "\rpushing " + ref + " [",
                            "100%",
                            "pushed " + ref + " (sha256:");
        }
    }

    @Test
    void recordsThePushedImageInTheBundleForDeploy() throws Exception {
        Path bundle = BundleFixture.write(temp.resolve("bundle"));
        try (TestRegistry registry = TestRegistry.start(temp)) {
            String ref = registry.host() + "/mldev-serve:1";
            Run run = push(ref, "--bundle", bundle.toString());

            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.err()).contains("recorded " + ref + " as serving.image");
            Manifest manifest = Bundle.open(bundle).manifest();
            assertThat(manifest.serving().image()).isEqualTo(ref);
            assertThat(manifest.serving().gpu()).isEqualTo(Serving.defaults().gpu());
            assertThat(manifest.name()).isEqualTo(BundleFixture.NAME);
            try (var files = Files.list(bundle)) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder("mldev.json", "model.onnx", "labels.txt");
            }
        }
    }

    @Test
    void aBadBundleFailsBeforeAnythingIsPushed() throws Exception {
        Path notABundle = Files.createDirectories(temp.resolve("empty"));
        try (TestRegistry registry = TestRegistry.start(temp)) {
            Run run = push(registry.host() + "/mldev-serve:1", "--bundle", notABundle.toString());

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.err()).contains("has no mldev.json");
            assertThat(registry.blobDigests()).isEmpty();
        }
    }

    @Test
    void writesADockerLoadableTarball() throws Exception {
        Path tar = temp.resolve("serve.tar");
        Run run = push("europe-west4-docker.pkg.dev/demo/mldev/serve:1", "--tar", tar.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        Map<String, byte[]> files = TarFiles.read(tar);
        JsonNode manifest = JSON.readTree(files.get("manifest.json")).get(0);
        assertThat(manifest.get("RepoTags").get(0).asText())
                .isEqualTo("europe-west4-docker.pkg.dev/demo/mldev/serve:1");
        assertThat(manifest.get("Layers")).hasSize(5);
        manifest.get("Layers").forEach(layer -> assertThat(files).containsKey(layer.asText()));
        JsonNode config =
                JSON.readTree(files.get(manifest.get("Config").asText())).get("config");
        assertThat(strings(config.get("Entrypoint"))).endsWith("dev.mldev.cli.Cli", "serve");
        assertThat(run.out().trim()).startsWith("europe-west4-docker.pkg.dev/demo/mldev/serve:1@sha256:");
        try (var left = Files.list(temp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".partial"));
        }
    }

    @Test
    void writesAnOciLayoutTarballWithFormatOci() throws Exception {
        Path tar = temp.resolve("serve-oci.tar");
        Run run = push("example.com/mldev/serve:1", "--tar", tar.toString(), "--format", "oci");

        assertThat(run.exit()).as(run.err()).isZero();
        Map<String, byte[]> files = TarFiles.read(tar);
        assertThat(files).containsKeys("oci-layout", "index.json");
        JsonNode index = JSON.readTree(files.get("index.json"));
        String manifestDigest = index.get("manifests").get(0).get("digest").asText();
        JsonNode manifest = JSON.readTree(files.get("blobs/sha256/" + manifestDigest.substring("sha256:".length())));
        assertThat(manifest.get("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(manifest.get("layers")).hasSize(5);
        manifest.get("layers")
                .forEach(layer -> assertThat(files)
                        .containsKey(
                                "blobs/sha256/" + layer.get("digest").asText().substring("sha256:".length())));
    }

    @Test
    void dryRunShowsTheLayersAndTouchesNothing() throws Exception {
        int closedPort = TestRegistry.freePort();
        Path bundle = BundleFixture.write(temp.resolve("bundle"));
        String before = Files.readString(bundle.resolve("mldev.json"));
        TinyElf.write(jre.resolve("lib/libjavajpeg.so"), List.of("libjpeg.so.62", "libc.so.6"));

        Run run = push("127.0.0.1:" + closedPort + "/mldev-serve:1", "--dry-run", "--bundle", bundle.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out())
                .contains(
                        "base        tar://" + baseTar,
                        "java-runtime",
                        "dependencies",
                        "mldev",
                        "entrypoint  /opt/java/bin/java -XX:+ExitOnOutOfMemoryError -Donnxruntime.native.path=/app/native "
                                + "-cp lib/" + ImageFixtures.MLDEV_JAR + ":lib/" + ImageFixtures.JACKSON_JAR + ":lib/"
                                + ImageFixtures.ORT_JAR + " dev.mldev.cli.Cli serve",
                        "workdir     /app",
                        "env         JAVA_HOME=/opt/java");
        assertThat(run.out())
                .containsPattern("dependencies +[0-9.]+ MB +2 files")
                .containsPattern("total +[0-9.]+ MB");
        assertThat(run.err())
                .contains(
                        "dry run: nothing built or pushed",
                        "warning: the Java runtime " + jre
                                + " loads libraries it does not ship, which the base image may lack: libjpeg.so.62 (for "
                                + "lib/libjavajpeg.so)");
        assertThat(Files.readString(bundle.resolve("mldev.json"))).isEqualTo(before);
        // only ONNX Runtime's natives are unpacked into the cache; no layer is built
        assertThat(temp.resolve("home/cache/mldev/jib")).doesNotExist();
    }

    @Test
    void theJsonDryRunListsLeanLayersWithTheirBytesAndFilesAndTheirTotal() throws Exception {
        Run run = push("example.com/mldev/serve:1", "--dry-run", "--json");

        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode plan = JSON.readTree(run.out());
        Map<String, JsonNode> layers = new java.util.LinkedHashMap<>();
        plan.get("layers").forEach(layer -> layers.put(layer.get("name").asText(), layer));
        assertThat(layers.keySet()).containsExactly("java-runtime", "onnxruntime-native", "dependencies", "mldev");
        // linux-x64 only, no TensorRT provider: libonnxruntime.so and the CUDA provider, 3000 and 4000 bytes
        assertThat(layers.get("onnxruntime-native").get("files").asInt()).isEqualTo(2);
        assertThat(layers.get("onnxruntime-native").get("bytes").asLong()).isEqualTo(3000 + 4000);
        // Jackson and ONNX Runtime's jar without natives; BigQuery is not something serve loads
        assertThat(layers.get("dependencies").get("files").asInt()).isEqualTo(2);
        long total = 0;
        for (JsonNode layer : layers.values()) {
            total += layer.get("bytes").asLong();
        }
        assertThat(plan.get("bytes").asLong()).isEqualTo(total);
        assertThat(strings(plan.get("entrypoint"))).contains("-Donnxruntime.native.path=/app/native");

        Run withTensorRt = push("example.com/mldev/serve:1", "--dry-run", "--json", "--tensorrt");
        JsonNode natives = JSON.readTree(withTensorRt.out()).get("layers").get(1);
        assertThat(natives.get("files").asInt()).as(withTensorRt.err()).isEqualTo(3);
    }

    @Test
    void anInstallWhoseNativesAreUnpackedBesideItsJarsIsPushedWithThem() throws Exception {
        // as install.sh and the release archives lay it out: lib/ holds the jar without natives, native/ the libraries
        Path lib = app.resolve("lib");
        Path ort = lib.resolve(ImageFixtures.ORT_JAR);
        Path stripped = temp.resolve("stripped.jar");
        OnnxRuntimeNatives.unpack(ort, OnnxRuntimeNatives.LINUX_X64, true, app.resolve("native"));
        OnnxRuntimeNatives.writeWithoutNatives(ort, stripped);
        Files.move(stripped, ort, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        Run run = push("example.com/mldev/serve:1", "--dry-run", "--json");

        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode natives = JSON.readTree(run.out()).get("layers").get(1);
        assertThat(natives.get("name").asText()).isEqualTo("onnxruntime-native");
        // the install's libraries, the TensorRT provider left out as from a jar
        assertThat(natives.get("files").asInt()).isEqualTo(2);
        assertThat(natives.get("bytes").asLong()).isEqualTo(3000 + 4000);
    }

    @Test
    void jsonWithoutDryRunIsAUsageError() {
        assertUsageError(push("example.com/mldev/serve:1", "--json"), "--json describes a dry run");
    }

    @Test
    void anAppWithTheCpuOnlyOnnxRuntimeIsWarnedAbout() throws Exception {
        Path lib = app.resolve("lib");
        Files.move(lib.resolve(ImageFixtures.ORT_JAR), lib.resolve("onnxruntime-1.26.0.jar"));

        Run run = push("example.com/mldev/serve:1", "--dry-run");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err())
                .contains(
                        "warning: " + lib + " has the CPU-only ONNX Runtime (onnxruntime-1.26.0.jar): "
                                + "the image will not use the GPU",
                        "hint: install mldev without --cpu");
    }

    @Test
    void anUnreachableRegistryIsARemoteErrorWithAHint() throws Exception {
        int closedPort = TestRegistry.freePort();

        Run run = push("127.0.0.1:" + closedPort + "/mldev-serve:1");

        assertThat(run.exit()).isEqualTo(4);
        assertThat(run.err()).contains("mldev: cannot reach the registry for 127.0.0.1:" + closedPort, "hint: ");
        assertThat(run.err()).doesNotContain("\tat ");
    }

    @Test
    void badInputIsAUsageErrorSaidInOneLine() throws Exception {
        Path macJre = ImageFixtures.fakeJre(Files.createDirectories(temp.resolve("mac")), "Darwin", "aarch64");
        Path noMldev = Files.createDirectories(temp.resolve("other/lib"));

        assertUsageError(push("Not A Reference!"), "'Not A Reference!' is not a valid image reference");
        assertUsageError(
                push("example.com/a:1", "--tar", temp.resolve("a.tar").toString(), "--bundle", "x"),
                "--bundle records a pushed image, but --tar pushes nothing");
        assertUsageError(
                mldev(
                        false,
                        "image",
                        "push",
                        "example.com/a:1",
                        "--dry-run",
                        "--jre",
                        macJre.toString(),
                        "--app-dir",
                        app.toString()),
                "is for Darwin/aarch64; the serving image needs a Linux x86-64 runtime");
        assertUsageError(
                mldev(
                        false,
                        "image",
                        "push",
                        "example.com/a:1",
                        "--dry-run",
                        "--jre",
                        jre.toString(),
                        "--app-dir",
                        noMldev.getParent().toString()),
                "holds no mldev jar");
        assertUsageError(
                mldev(
                        false,
                        "image",
                        "push",
                        "example.com/a:1",
                        "--jre",
                        jre.toString(),
                        "--app-dir",
                        app.toString(),
                        "--base",
                        "tar://" + temp.resolve("missing.tar")),
                "base image tarball " + temp.resolve("missing.tar") + " does not exist");
        assertUsageError(mldev(false, "image", "push", "example.com/a:1", "--auth", "maybe"), "--auth");
        Path zip = Files.writeString(temp.resolve("bundle.zip"), "PK");
        assertUsageError(
                push("example.com/a:1", "--bundle", zip.toString()), "--bundle " + zip + " is not a bundle directory");
    }

    @Test
    void aClassArchiveWhoseTrainingCannotRunFailsThePushInOneLineAndLeavesNothing() throws Exception {
        Path tar = temp.resolve("no-archive.tar");
        // straight through CliRun: mldev(...) adds --no-class-archive for this test's stand-in runtime
        CliRun run = CliRun.run(
                temp.resolve("home"),
                "image",
                "push",
                "mldev-serve:1",
                "--tar",
                tar.toString(),
                "--app-dir",
                app.toString(),
                "--jre",
                jre.toString(),
                "--base",
                "tar://" + baseTar);

        assertThat(run.exitCode).as(run.err).isEqualTo(1);
        assertThat(run.err)
                .contains("mldev: cannot make the serving image's class archive: the training server exited (0) before "
                        + "it was healthy; its last output: fake java")
                .contains("hint: the image's java and jars must run serve on this machine; pass --no-class-archive");
        assertThat(tar).doesNotExist();
        try (var left = Files.list(temp.resolve("home/cache/mldev/image/serve-cds"))) {
            assertThat(left).as("no partial training directory is left").isEmpty();
        }
    }

    private static void assertUsageError(Run run, String message) {
        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains(message).contains("hint: ");
    }

    private Run push(String... args) {
        return mldev(false, withDefaults(args));
    }

    private String[] withDefaults(String... args) {
        List<String> all = new ArrayList<>(List.of("image", "push"));
        all.addAll(List.of(args));
        all.addAll(List.of(
                "--app-dir",
                app.toString(),
                "--jre",
                jre.toString(),
                "--base",
                "tar://" + baseTar,
                "--insecure-registry"));
        return all.toArray(String[]::new);
    }

    private Run mldev(boolean tty, String... args) {
        if (List.of(args).contains(jre.toString())) {
            // this test's runtime is a stand-in that cannot run serve, which the class archive's training needs
            List<String> all = new ArrayList<>(List.of(args));
            all.add("--no-class-archive");
            args = all.toArray(String[]::new);
        }
        if (!tty) {
            CliRun run = CliRun.run(temp.resolve("home"), args);
            return new Run(run.exitCode, run.out, run.err);
        }
        // a person at a terminal: the progress bar is drawn
        Environment env = new Environment(
                Map.of("XDG_CACHE_HOME", temp.resolve("home/cache").toString()), temp.resolve("home"));
        CommandLine cli = Cli.commandLine(env, new Terminal(true, false, new BufferedReader(new StringReader(""))));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }

    private static List<String> files(Map<String, TarArchiveEntry> entries) {
        return entries.values().stream()
                .filter(TarArchiveEntry::isFile)
                .map(e -> e.getName().replaceFirst("^/", ""))
                .toList();
    }
}
