package dev.mldev.image;

import dev.mldev.testing.TestDependencies;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real OCI registry (Debian's {@code docker-registry}, the CNCF distribution registry) on 127.0.0.1 and a free
 * port, with its storage in a test directory. Without the binary, tests are skipped (failed under CI=true).
 */
final class TestRegistry implements AutoCloseable {
    private static final List<Path> BINARIES =
            List.of(Path.of("/usr/bin/docker-registry"), Path.of("/usr/sbin/docker-registry"));

    /** The PUT that completes a blob upload names the blob's digest; the access log records it. */
    private static final Pattern COMPLETED_UPLOAD =
            Pattern.compile("\"PUT /v2/[^ ]+/blobs/uploads/[^ ]*[?&]digest=([^ &\"]+)[^\"]*\" 201");

    private final Process process;
    private final int port;
    private final Path storage;
    private final Path log;

    private TestRegistry(Process process, int port, Path storage, Path log) {
        this.process = process;
        this.port = port;
        this.storage = storage;
        this.log = log;
    }

    /** Starts a registry with no authentication. */
    static TestRegistry start(Path dir) throws IOException, InterruptedException {
        return start(dir, null);
    }

    /** Starts a registry; with an htpasswd file, every request needs HTTP basic authentication. */
    static TestRegistry start(Path dir, Path htpasswd) throws IOException, InterruptedException {
        Path binary = BINARIES.stream().filter(Files::isExecutable).findFirst().orElse(null);
        TestDependencies.require("docker-registry", binary != null, "apt-get install -y docker-registry");
        int port = freePort();
        Path storage = Files.createDirectories(dir.resolve("registry-data"));
        Path config = dir.resolve("registry.yml");
        String auth = htpasswd == null ? "" : """
                auth:
                  htpasswd:
                    realm: mldev-test
                    path: %s
                """.formatted(htpasswd);
        Files.writeString(config, """
                version: 0.1
                log:
                  level: info
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                  secret: mldev-test-secret
                  draintimeout: 1s
                %s""".formatted(storage, port, auth));
        Path log = dir.resolve("registry.log");
        Process process = new ProcessBuilder(binary.toString(), "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        TestRegistry registry = new TestRegistry(process, port, storage, log);
        registry.awaitReady();
        return registry;
    }

    /** {@code 127.0.0.1:PORT}, the registry part of image references. */
    String host() {
        return "127.0.0.1:" + port;
    }

    URI base() {
        return URI.create("http://" + host());
    }

    /** Every blob the registry stores (layers and configs), by digest. */
    List<String> blobDigests() throws IOException {
        Path blobs = storage.resolve("docker/registry/v2/blobs/sha256");
        if (!Files.isDirectory(blobs)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(blobs)) {
            return walk.filter(p -> p.getFileName().toString().equals("data"))
                    .map(p -> "sha256:" + p.getParent().getFileName())
                    .sorted()
                    .toList();
        }
    }

    /** A mark in the registry's request log, for {@link #blobsUploadedSince}. */
    int logMark() throws IOException {
        return log().length();
    }

    /** Digests of the blob uploads completed since the mark, from the access log: what went over the wire. */
    List<String> blobsUploadedSince(int mark) throws IOException {
        Matcher upload = COMPLETED_UPLOAD.matcher(log().substring(mark));
        List<String> digests = new java.util.ArrayList<>();
        while (upload.find()) {
            digests.add(URLDecoder.decode(upload.group(1), StandardCharsets.UTF_8));
        }
        return digests;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                HttpResponse<Void> response = http.send(
                        HttpRequest.newBuilder(base().resolve("/v2/"))
                                .timeout(Duration.ofSeconds(1))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200 || response.statusCode() == 401) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(50);
        }
        close();
        throw new IllegalStateException("docker-registry did not answer within 10 s:\n" + log());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: the registry drains and exits
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** A port nobody listens on right now (closed again at once; the registry binds it next). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
