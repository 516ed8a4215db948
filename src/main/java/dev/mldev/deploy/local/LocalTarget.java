package dev.mldev.deploy.local;

import dev.mldev.DeploymentState;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.TargetKind;
import dev.mldev.bundle.Bundle;
import dev.mldev.deploy.DeploymentLock;
import dev.mldev.deploy.DeploymentName;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.DeploymentStatus;
import dev.mldev.deploy.DeploymentStore;
import dev.mldev.deploy.PredictClient;
import dev.mldev.deploy.Target;
import dev.mldev.runtime.ImageResult;
import dev.mldev.runtime.PendingImage;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import dev.mldev.serve.ServeOptions;
import dev.mldev.serve.ServerHealth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Deployments on this machine: a background {@code mldev serve} per deployment, on loopback. A deployment's
 * server is known by its pid, its start time and the marker it carries ({@link ServerProcess}); the server that
 * answers on the recorded port counts only when its health names that pid.
 */
public final class LocalTarget implements Target {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** Long enough for another mldev to finish a deploy or an undeploy of the same deployment. */
    private static final Duration LOCK_WAIT = START_TIMEOUT.plus(STOP_TIMEOUT).plusSeconds(30);

    private static final String LOG = "serve.log";
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);
    /** Requests a streamed predict keeps under way, so that the server has concurrent requests to batch. */
    private static final int IN_FLIGHT = 8;

    private final DeploymentStore store;
    private final String authToken;
    private final String javaOptions;
    private final Consumer<String> notice;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final PredictClient client = new PredictClient(http);

    /**
     * @param authToken   the bearer token local servers were started with (MLDEV_AUTH_TOKEN), or null
     * @param javaOptions JVM options for the servers started (MLDEV_JAVA_OPTS), or null
     * @param notice      one-line messages for stderr (waiting for a lock, where an old log went)
     */
    public LocalTarget(DeploymentStore store, String authToken, String javaOptions, Consumer<String> notice) {
        this.store = store;
        this.authToken = authToken;
        this.javaOptions = javaOptions;
        this.notice = notice;
    }

    /**
     * Starts a server for the bundle and waits until it is healthy. The same bundle version already running
     * under the name is left as it is. One mldev at a time deploys or undeploys a name: others wait.
     *
     * @param port 0 picks a free port
     * @param extraServeArgs further flags for {@code mldev serve} (e.g. --idle-unload 5m)
     */
    public DeploymentRecord deploy(
            Path bundlePath, String name, int port, List<String> extraServeArgs, Progress progress) {
        Bundle bundle = Bundle.openVerified(bundlePath);
        String deployName = DeploymentName.choose(name, bundle.manifest().name());
        try (DeploymentLock lock = store.lock(deployName, LOCK_WAIT, notice)) {
            Optional<DeploymentRecord> existing = store.find(deployName);
            if (existing.isPresent()) {
                DeploymentRecord old = existing.get();
                boolean running =
                        old.target() == TargetKind.LOCAL && server(old).isPresent();
                if (running
                        && bundle.manifest().version().equals(old.version())
                        && ownHealth(old).isPresent()) {
                    progress.step(deployName + " already runs version " + old.version() + ": nothing to change");
                    return old;
                }
                if (running || old.target() != TargetKind.LOCAL) {
                    throw MldevException.usage(
                            "a deployment named '" + deployName + "' already exists (" + old.target() + ")",
                            "undeploy it first ('mldev undeploy " + deployName + "') or choose another --name");
                }
                store.forget(deployName); // a local deployment that is down: replace it, keeping its log
            }
            return start(bundle, bundlePath, deployName, port, extraServeArgs, progress);
        }
    }

    private DeploymentRecord start(
            Bundle bundle, Path bundlePath, String name, int port, List<String> extraServeArgs, Progress progress) {
        int chosenPort = port == 0 ? freePort() : checkFree(port);
        Path workDir = store.workDir(name);
        Path log = keepPreviousLog(workDir.resolve(LOG));
        List<String> args = new ArrayList<>(List.of(
                "serve",
                bundlePath.toAbsolutePath().toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(chosenPort)));
        args.addAll(extraServeArgs);
        progress.step("starting mldev serve for " + name + " on port " + chosenPort);
        Process process;
        try {
            process = ServerProcess.start(javaOptions, workDir, args, log);
        } catch (IOException e) {
            throw MldevException.failure("cannot start mldev serve: " + e.getMessage(), null);
        }
        Map<String, String> details = new HashMap<>(Map.of(
                "pid", Long.toString(process.pid()), "port", Integer.toString(chosenPort), "log", log.toString()));
        ServerProcess.startInstant(process).ifPresent(started -> details.put("started", started.toString()));
        DeploymentRecord record = new DeploymentRecord(
                name,
                TargetKind.LOCAL,
                bundlePath.toAbsolutePath().toString(),
                bundle.manifest().version(),
                "http://127.0.0.1:" + chosenPort,
                Instant.now(),
                Map.copyOf(details));
        store.save(record); // before the wait: a deploy interrupted now leaves a server that undeploy still finds
        try {
            waitUntilHealthy(record, process, log);
        } catch (RuntimeException e) {
            process.destroyForcibly();
            store.forget(name);
            throw e;
        }
        return record;
    }

    @Override
    public List<Prediction> predict(
            DeploymentRecord deployment, List<Predictor.Input> images, int topK, Progress progress) {
        requireRunning(deployment);
        try {
            return client.predict(
                    URI.create(deployment.url() + ServeOptions.DEFAULT_PREDICT_ROUTE),
                    authToken,
                    images,
                    topK,
                    REQUEST_TIMEOUT);
        } catch (PredictClient.HttpError e) {
            throw answered(deployment, e);
        }
    }

    /** One image a request, {@link #IN_FLIGHT} at once: the server batches concurrent requests itself. */
    @Override
    public void predictEach(
            DeploymentRecord deployment,
            Iterator<PendingImage> images,
            int topK,
            Progress progress,
            Consumer<ImageResult> results) {
        requireRunning(deployment);
        client.predictEach(
                URI.create(deployment.url() + ServeOptions.DEFAULT_PREDICT_ROUTE),
                authToken,
                images,
                topK,
                REQUEST_TIMEOUT,
                IN_FLIGHT,
                e -> answered(deployment, e),
                results);
    }

    private void requireRunning(DeploymentRecord deployment) {
        if (server(deployment).isEmpty()) {
            throw MldevException.failure(
                    "cannot reach " + deployment.name() + ": its server (pid " + deployment.detail("pid")
                            + ") is not running",
                    "'mldev status' shows it down; its log is " + deployment.detail("log")
                            + "; deploy it again with 'mldev deploy " + deployment.bundle() + "'");
        }
    }

    private static MldevException answered(DeploymentRecord deployment, PredictClient.HttpError e) {
        return MldevException.failure(
                deployment.name() + " answered " + e.status() + ": " + e.getMessage(),
                e.status() == 401
                        ? "set MLDEV_AUTH_TOKEN to the server's token"
                        : "see its log: " + deployment.detail("log"));
    }

    @Override
    public DeploymentStatus status(DeploymentRecord deployment) {
        Optional<ServerHealth> health = server(deployment).isPresent() ? ownHealth(deployment) : Optional.empty();
        if (health.isEmpty()) {
            return new DeploymentStatus(
                    deployment.name(), TargetKind.LOCAL, deployment.url(), DeploymentState.DOWN, null, -1);
        }
        ServerHealth h = health.get();
        return new DeploymentStatus(
                deployment.name(),
                TargetKind.LOCAL,
                deployment.url(),
                h.modelLoaded() ? DeploymentState.WARM : DeploymentState.ZERO,
                Instant.now().minusSeconds(h.idleSeconds()),
                h.requestsServed());
    }

    @Override
    public void undeploy(DeploymentRecord deployment, boolean purge, Progress progress) {
        try (DeploymentLock lock = store.lock(deployment.name(), LOCK_WAIT, notice)) {
            List<ProcessHandle> stopped = stopServers(deployment.name(), server(deployment), progress);
            pid(deployment)
                    .filter(pid -> stopped.stream().noneMatch(p -> p.pid() == pid))
                    .flatMap(ProcessHandle::of)
                    .filter(ProcessHandle::isAlive)
                    .ifPresent(other -> notice.accept("pid " + other.pid() + " is no longer the server of "
                            + deployment.name() + " (another process has that pid now): left it running"));
            store.remove(deployment.name());
        }
    }

    /**
     * Undeploys a deployment whose record cannot be read: stops the servers that carry its marker, if any, and
     * removes the record. Returns how many servers were stopped.
     */
    public int undeployUnreadable(String name, Progress progress) {
        try (DeploymentLock lock = store.lock(name, LOCK_WAIT, notice)) {
            int stopped = stopServers(name, Optional.empty(), progress).size();
            store.remove(name);
            return stopped;
        }
    }

    /** Stops the recorded server and any other that carries the deployment's marker (a record edited by hand). */
    private List<ProcessHandle> stopServers(String name, Optional<ProcessHandle> recorded, Progress progress) {
        Map<Long, ProcessHandle> servers = new LinkedHashMap<>();
        recorded.ifPresent(p -> servers.put(p.pid(), p));
        ServerProcess.findByMarker(store.workDir(name)).forEach(p -> servers.putIfAbsent(p.pid(), p));
        servers.values().forEach(server -> stop(name, server, progress));
        return List.copyOf(servers.values());
    }

    private void stop(String name, ProcessHandle server, Progress progress) {
        progress.step("stopping " + name + " (pid " + server.pid() + ")");
        server.destroy();
        try {
            server.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            server.destroyForcibly();
        }
    }

    /** The deployment's own server process, if it still runs. */
    private Optional<ProcessHandle> server(DeploymentRecord deployment) {
        return pid(deployment)
                .flatMap(pid -> ServerProcess.find(pid, started(deployment), store.workDir(deployment.name())));
    }

    private static Optional<Long> pid(DeploymentRecord deployment) {
        try {
            return Optional.of(Long.parseLong(deployment.detail("pid")));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Instant started(DeploymentRecord deployment) {
        String started = deployment.detail("started");
        try {
            return started == null ? null : Instant.parse(started);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The health the recorded port answers, if the recorded server is the one answering. */
    private Optional<ServerHealth> ownHealth(DeploymentRecord deployment) {
        return pid(deployment).flatMap(pid -> health(deployment.url()).filter(h -> h.pid() == pid));
    }

    private void waitUntilHealthy(DeploymentRecord record, Process process, Path log) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw MldevException.failure(
                        "mldev serve for " + record.name() + " exited with " + process.exitValue() + ": "
                                + lastLine(log),
                        "see the whole log: " + log);
            }
            if (health(record.url()).filter(h -> h.pid() == process.pid()).isPresent()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw MldevException.failure(
                "mldev serve for " + record.name() + " was not healthy within " + START_TIMEOUT.toSeconds()
                        + " s; stopped it",
                "see its log: " + log);
    }

    private Optional<ServerHealth> health(String url) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(url + "/health"))
                            .timeout(Duration.ofSeconds(2))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? ServerHealth.parse(response.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Moves the log of an earlier server to LOG.1 (replacing an older one), and says so. */
    private Path keepPreviousLog(Path log) {
        if (Files.exists(log)) {
            Path previous = log.resolveSibling(log.getFileName() + ".1");
            try {
                Files.move(log, previous, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            notice.accept("the previous server's log is now " + previous);
        }
        return log;
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
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw MldevException.failure("no free port on 127.0.0.1: " + e.getMessage(), "pass --port");
        }
    }

    private static int checkFree(int port) {
        if (port < 1 || port > 65535) {
            throw MldevException.usage(
                    "--port " + port + " is not a port number", "pass 1-65535, or leave --port out for a free one");
        }
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return port;
        } catch (IOException e) {
            throw MldevException.failure(
                    "port " + port + " on 127.0.0.1 is in use by another program",
                    "choose another --port, or leave --port out for a free one");
        }
    }
}
