package dev.mldev.deploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.bundle.Bundle;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.DeploymentStatus;
import dev.mldev.deploy.DeploymentStore;
import dev.mldev.deploy.PredictClient;
import dev.mldev.deploy.Target;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Deployments on this machine: a background {@code mldev serve} per deployment, on loopback. */
public final class LocalTarget implements Target {
    public static final String NAME = "local";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final DeploymentStore store;
    private final String authToken;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final PredictClient client = new PredictClient(http);

    /** @param authToken the bearer token local servers were started with (MLDEV_AUTH_TOKEN), or null */
    public LocalTarget(DeploymentStore store, String authToken) {
        this.store = store;
        this.authToken = authToken;
    }

    /**
     * Starts a server for the bundle and waits until it is healthy. The same bundle version already running
     * under the name is left as it is.
     *
     * @param port 0 picks a free port
     * @param extraServeArgs further flags for {@code mldev serve} (e.g. --idle-unload 5m)
     */
    public DeploymentRecord deploy(Path bundlePath, String name, int port, List<String> extraServeArgs, Progress progress) {
        Bundle bundle = Bundle.openVerified(bundlePath);
        String deployName = name != null ? name : bundle.manifest().name();
        Optional<DeploymentRecord> existing = store.find(deployName);
        if (existing.isPresent()) {
            DeploymentRecord old = existing.get();
            boolean up = health(old).isPresent();
            if (up && bundle.manifest().version().equals(old.version())) {
                progress.step(deployName + " already runs version " + old.version() + ": nothing to change");
                return old;
            }
            if (up || !NAME.equals(old.target())) {
                throw MldevException.usage("a deployment named '" + deployName + "' already exists (" + old.target() + ")",
                        "undeploy it first ('mldev undeploy " + deployName + "') or choose another --name");
            }
            store.remove(deployName); // a local deployment that is down: replace it
        }
        int chosenPort = port == 0 ? freePort() : port;
        Path log = store.workDir(deployName).resolve("serve.log");
        List<String> args = new ArrayList<>(List.of("serve", bundlePath.toAbsolutePath().toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(chosenPort)));
        args.addAll(extraServeArgs);
        progress.step("starting mldev serve for " + deployName + " on port " + chosenPort);
        Process process;
        try {
            process = ServerProcess.start(args, log);
        } catch (IOException e) {
            throw MldevException.failure("cannot start mldev serve: " + e.getMessage(), null);
        }
        DeploymentRecord record = new DeploymentRecord(deployName, NAME, bundlePath.toAbsolutePath().toString(),
                bundle.manifest().version(), "http://127.0.0.1:" + chosenPort, Instant.now(),
                Map.of("pid", Long.toString(process.pid()), "port", Integer.toString(chosenPort), "log", log.toString()));
        waitUntilHealthy(record, process, log);
        store.save(record);
        return record;
    }

    @Override
    public List<Prediction> predict(DeploymentRecord deployment, List<Predictor.Input> images, int topK, Progress progress) {
        try {
            return client.predict(URI.create(deployment.url() + "/predict"), authToken, images, topK, Duration.ofMinutes(2));
        } catch (PredictClient.HttpError e) {
            throw MldevException.failure(deployment.name() + " answered " + e.status() + ": " + e.getMessage(),
                    e.status() == 401 ? "set MLDEV_AUTH_TOKEN to the server's token" : "see its log: " + deployment.detail("log"));
        }
    }

    @Override
    public DeploymentStatus status(DeploymentRecord deployment) {
        boolean alive = ServerProcess.find(Long.parseLong(deployment.detail("pid"))).isPresent();
        Optional<JsonNode> health = alive ? health(deployment) : Optional.empty();
        if (health.isEmpty()) {
            return new DeploymentStatus(deployment.name(), NAME, deployment.url(), "down", null, -1);
        }
        JsonNode h = health.get();
        return new DeploymentStatus(deployment.name(), NAME, deployment.url(),
                h.path("model_loaded").asBoolean() ? "loaded" : "zero",
                Instant.now().minusSeconds(h.path("idle_seconds").asLong()), h.path("requests_served").asLong(-1));
    }

    @Override
    public void undeploy(DeploymentRecord deployment, boolean purge, Progress progress) {
        Optional<ProcessHandle> process = ServerProcess.find(Long.parseLong(deployment.detail("pid")));
        if (process.isPresent()) {
            progress.step("stopping " + deployment.name() + " (pid " + process.get().pid() + ")");
            process.get().destroy();
            try {
                process.get().onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                process.get().destroyForcibly();
            }
        }
        store.remove(deployment.name());
    }

    private void waitUntilHealthy(DeploymentRecord record, Process process, Path log) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw MldevException.failure("mldev serve for " + record.name() + " exited with " + process.exitValue()
                        + ": " + lastLine(log), "see the whole log: " + log);
            }
            if (health(record).isPresent()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        process.destroyForcibly();
        throw MldevException.failure("mldev serve for " + record.name() + " was not healthy within "
                + START_TIMEOUT.toSeconds() + " s; stopped it", "see its log: " + log);
    }

    private Optional<JsonNode> health(DeploymentRecord deployment) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(deployment.url() + "/health"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(JSON.readTree(response.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1).replaceFirst("^mldev: ", "");
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw MldevException.failure("no free port on 127.0.0.1: " + e.getMessage(), "pass --port");
        }
    }
}
