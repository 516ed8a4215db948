package dev.mldev.fake;

import com.google.cloud.aiplatform.v1beta1.Model;
import com.google.cloud.aiplatform.v1beta1.ModelContainerSpec;
import dev.mldev.testing.ImageRoot;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A deployed model's serving container, run as Vertex AI runs it: the image's entrypoint (or the model's
 * container command and args) inside the unpacked image, with the AIP_* variables Vertex sets, the bundle at
 * AIP_STORAGE_URI read from the fake Cloud Storage with credentials from the fake metadata server. Started
 * when it answers its health route with 200; otherwise the deploy fails with the container's log tail.
 */
final class ServingContainer implements AutoCloseable {
    private static final Duration READY_WITHIN = Duration.ofMinutes(2);
    private static final int LOG_TAIL_LINES = 20;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path log;
    private final URI baseUrl;
    private final URI predictUrl;
    private final long startedNanos;
    private final long readyMillis;
    private final AtomicBoolean predicted = new AtomicBoolean();

    private ServingContainer(
            Process process, Path log, URI baseUrl, URI predictUrl, long startedNanos, long readyMillis) {
        this.process = process;
        this.log = log;
        this.baseUrl = baseUrl;
        this.predictUrl = predictUrl;
        this.startedNanos = startedNanos;
        this.readyMillis = readyMillis;
    }

    /**
     * Starts containers from an image.
     *
     * @param cloud the variables that point a process inside the image at the fake Google Cloud (the storage
     *              endpoint, the CA file and the metadata server), as a Vertex machine's network would
     */
    record Runner(Supplier<ImageRoot> image, Map<String, String> cloud) {
        ServingContainer start(Model model, String endpoint, String deployedModelId) {
            return ServingContainer.start(image.get(), cloud, model, endpoint, deployedModelId);
        }
    }

    static ServingContainer start(
            ImageRoot image, Map<String, String> cloud, Model model, String endpoint, String deployedModelId) {
        ModelContainerSpec spec = model.getContainerSpec();
        String endpointId = endpoint.substring(endpoint.lastIndexOf('/') + 1);
        String defaultRoute = "/v1/endpoints/" + endpointId + "/deployedModels/" + deployedModelId;
        // Vertex gives each container its own network; here they share this machine's, so a free port
        int port = freePort();
        Map<String, String> variables = new LinkedHashMap<>(cloud);
        spec.getEnvList().forEach(v -> variables.put(v.getName(), v.getValue()));
        // the one liberty taken: no GPU exists here
        variables.computeIfPresent("MLDEV_DEVICE", (name, device) -> device.equals("cuda") ? "cpu" : device);
        variables.put("AIP_HTTP_PORT", String.valueOf(port));
        variables.put("AIP_HEALTH_ROUTE", spec.getHealthRoute().isEmpty() ? defaultRoute : spec.getHealthRoute());
        variables.put(
                "AIP_PREDICT_ROUTE",
                spec.getPredictRoute().isEmpty() ? defaultRoute + ":predict" : spec.getPredictRoute());
        variables.put("AIP_STORAGE_URI", model.getArtifactUri());
        variables.put("AIP_MODE", "PREDICTION");
        variables.put("AIP_ENDPOINT_ID", endpointId);
        variables.put("AIP_DEPLOYED_MODEL_ID", deployedModelId);
        List<String> argv = new ArrayList<>(spec.getCommandCount() > 0 ? spec.getCommandList() : image.entrypoint());
        argv.addAll(spec.getArgsList());
        return launch(
                image.command(argv, variables, Map.of()),
                port,
                variables.get("AIP_HEALTH_ROUTE"),
                variables.get("AIP_PREDICT_ROUTE"));
    }

    /**
     * Runs {@code command} (a container's entrypoint, or a process standing in for one) that listens on {@code port},
     * and returns once {@code healthRoute} answers 200; predictions go to {@code predictRoute}.
     */
    static ServingContainer launch(ProcessBuilder command, int port, String healthRoute, String predictRoute) {
        try {
            Path log = Files.createTempFile("mldev-serving-container-", ".log");
            long started = System.nanoTime();
            Process process = command.redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            URI base = URI.create("http://127.0.0.1:" + port);
            return new ServingContainer(
                    process,
                    log,
                    base,
                    base.resolve(predictRoute),
                    started,
                    awaitHealthy(process, base.resolve(healthRoute), log, started));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the container listens, e.g. http://127.0.0.1:PORT */
    URI baseUrl() {
        return baseUrl;
    }

    /** Where it answers predictions: its AIP_PREDICT_ROUTE. */
    URI predictUrl() {
        return predictUrl;
    }

    /** Milliseconds from exec to the first 200 from the health route. */
    long readyMillis() {
        return readyMillis;
    }

    /**
     * Notes a prediction it answered that took {@code requestMillis}; the first one prints the cold-start
     * figure: milliseconds from exec to that answer.
     */
    void answeredPrediction(long requestMillis) {
        if (predicted.compareAndSet(false, true)) {
            System.err.println("serving container answered its first prediction "
                    + (System.nanoTime() - startedNanos) / 1_000_000 + " ms after exec (the request took "
                    + requestMillis + " ms)");
        }
    }

    private static long awaitHealthy(Process process, URI health, Path log, long startedNanos) {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw notReady("the container exited with " + process.exitValue(), log);
            }
            try {
                HttpResponse<Void> answer = HTTP.send(
                        HttpRequest.newBuilder(health)
                                .timeout(Duration.ofSeconds(2))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() == 200) {
                    long millis = (System.nanoTime() - startedNanos) / 1_000_000;
                    System.err.println("serving container healthy " + millis + " ms after exec");
                    return millis;
                }
            } catch (IOException notListeningYet) {
                // the server is still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
            }
            sleep();
        }
        process.destroyForcibly();
        throw notReady("its health route did not answer 200 within " + READY_WITHIN.toSeconds() + " s", log);
    }

    private static RuntimeException notReady(String why, Path log) {
        return Status.FAILED_PRECONDITION
                .withDescription("Model server never became ready: " + why + "; the container's log ends: " + tail(log))
                .asRuntimeException();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } catch (IOException ignored) {
            // a leftover log in the temporary directory is harmless
        }
    }
}
