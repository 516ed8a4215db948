package dev.mldev.image;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;

/** Things an image is made from, made small and offline: an installed app, a Java runtime, a base image. */
final class ImageFixtures {
    static final String MLDEV_JAR = "mldev-0.1.0.jar";
    static final String ORT_JAR = "onnxruntime_gpu-1.27.0.jar";
    static final String JACKSON_JAR = "jackson-databind-2.20.1.jar";
    static final Map<String, String> BASE_ENV = Map.of(
            "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "NVIDIA_VISIBLE_DEVICES", "all");

    private ImageFixtures() {}

    /** A Cloud-only dependency that serve never loads. */
    static final String BIGQUERY_JAR = "google-cloud-bigquery-2.54.1.jar";

    /**
     * {@code dir/lib} with mldev's jar (holding the CLI's main class) and three dependency jars: ONNX Runtime's
     * (with Linux and Windows natives, TensorRT's provider among them), Jackson's and a Cloud-only one.
     */
    static Path appDir(Path dir) throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        jar(
                lib.resolve(ORT_JAR),
                Map.of(
                        "ai/onnxruntime/OrtEnvironment.class",
                        "ort".repeat(10_000),
                        "ai/onnxruntime/native/linux-x64/libonnxruntime.so",
                        "elf".repeat(1000),
                        "ai/onnxruntime/native/linux-x64/libonnxruntime_providers_cuda.so",
                        "cuda".repeat(1000),
                        "ai/onnxruntime/native/linux-x64/libonnxruntime_providers_tensorrt.so",
                        "trt".repeat(1000),
                        "ai/onnxruntime/native/win-x64/onnxruntime.dll",
                        "dll".repeat(1000)));
        jar(lib.resolve(JACKSON_JAR), Map.of("com/fasterxml/jackson/databind/ObjectMapper.class", "jackson"));
        jar(lib.resolve(BIGQUERY_JAR), Map.of("com/google/cloud/bigquery/BigQuery.class", "bigquery"));
        writeMldevJar(dir, "build 1");
        return dir;
    }

    /** Replaces mldev's jar only, as a code change and reinstall would. */
    static void writeMldevJar(Path appDir, String build) throws IOException {
        jar(
                appDir.resolve("lib").resolve(MLDEV_JAR),
                Map.of(AppLayout.MARKER_CLASS, "cafebabe", "dev/mldev/build.txt", build));
    }

    /**
     * A small Linux runtime directory shaped like a distribution's JDK: bin/java executable, a config file that is
     * a link to outside the runtime, a dangling link, and developer-only jmods.
     */
    static Path fakeJre(Path dir, String osName, String osArch) throws IOException {
        Path home = Files.createDirectories(dir.resolve("jre"));
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho fake java\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("release"), "OS_NAME=\"" + osName + "\"\nOS_ARCH=\"" + osArch + "\"\n");
        Files.createDirectories(home.resolve("lib"));
        Files.write(home.resolve("lib/modules"), new byte[4096]);
        Path etc = Files.createDirectories(dir.resolve("etc-java"));
        Files.writeString(etc.resolve("java.security"), "securerandom.source=file:/dev/urandom\n");
        Files.createDirectories(home.resolve("conf/security"));
        Files.createSymbolicLink(home.resolve("conf/security/java.security"), etc.resolve("java.security"));
        Files.createSymbolicLink(home.resolve("lib/src.zip"), dir.resolve("no-such-src.zip"));
        Files.createDirectories(home.resolve("jmods"));
        Files.writeString(home.resolve("jmods/java.base.jmod"), "developer only");
        return home;
    }

    /** A stand-in for the CUDA base, in 'docker save' layout: one layer with /etc/os-release and CUDA's env. */
    static Path baseTar(Path dir) throws Exception {
        Path osRelease = dir.resolve("os-release");
        Files.writeString(osRelease, "PRETTY_NAME=\"Ubuntu 24.04 LTS (test base)\"\n");
        Path tar = dir.resolve("base.tar");
        Jib.fromScratch()
                .addFileEntriesLayer(FileEntriesLayer.builder()
                        .addEntry(osRelease, AbsoluteUnixPath.get("/etc/os-release"))
                        .build())
                .setEnvironment(BASE_ENV)
                .containerize(Containerizer.to(TarImage.at(tar).named("nvidia/cuda:test-base"))
                        .setBaseImageLayersCache(dir.resolve("base-cache"))
                        .setApplicationLayersCache(dir.resolve("base-app-cache")));
        return tar;
    }

    private static void jar(Path file, Map<String, String> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
                JarOutputStream jar = new JarOutputStream(out)) {
            for (var entry : new java.util.TreeMap<>(entries).entrySet()) {
                ZipEntry zip = new ZipEntry(entry.getKey());
                zip.setLastModifiedTime(FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
                jar.putNextEntry(zip);
                jar.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
    }
}
