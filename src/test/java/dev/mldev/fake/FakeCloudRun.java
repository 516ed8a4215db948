package dev.mldev.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.rpc.Code;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.mldev.cost.cloudrun.CloudRunServices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Cloud Run Admin API v2 on loopback, over its REST surface ({@code /v2/projects/P/locations/R/services...} and
 * {@code .../operations/ID}, long-running operations polled until done), with the checks the real API makes on a GPU
 * service (one L4 needs at least 4 CPU and 16 GiB, CPU always allocated, max instances set). Each service gets its
 * own HTTPS front (its URL) that scales to zero: a request at zero starts an instance and is held until the instance
 * answers its startup probe (no 429), an instance idle for {@link #setIdleShutdown} is stopped. A private service
 * takes only an ID token whose audience is its URL; {@code invokerIamDisabled} lets anyone in.
 *
 * <p>An instance is a process started by {@link #runInstances}: the serving image's entrypoint (see
 * {@link FakeGoogleCloud#runServingImage}) or a stand-in, with PORT, K_SERVICE and the container's env set.
 */
public final class FakeCloudRun implements AutoCloseable {
    private static final Pattern SERVICES = Pattern.compile("/v2/(projects/[^/]+/locations/[^/]+)/services");
    private static final Pattern SERVICE = Pattern.compile("/v2/(projects/[^/]+/locations/[^/]+/services/[^/]+)");
    private static final Pattern OPERATION = Pattern.compile("/v2/(projects/[^/]+/locations/[^/]+/operations/[^/]+)");
    private static final Pattern SERVICE_ID = Pattern.compile("[a-z]([-a-z0-9]{0,47}[a-z0-9])?");
    private static final String SERVICE_TYPE = "type.googleapis.com/google.cloud.run.v2.Service";

    /** Starts one instance: the service's container and the variables Cloud Run sets; returns it once it is healthy. */
    interface Instances extends BiFunction<JsonNode, Map<String, String>, ServingContainer> {}

    private final FakeAuth auth;
    private final Faults faults;
    private final Map<String, ObjectNode> services = new ConcurrentHashMap<>();
    private final Map<String, Front> fronts = new ConcurrentHashMap<>();
    private final Map<String, Operation> operations = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(5000);
    private final List<Duration> coldStarts = new ArrayList<>();
    private volatile Instances instances;
    private volatile Duration idleShutdown = Duration.ofMinutes(15);
    private volatile Duration operationDelay = Duration.ZERO;

    private record Operation(ObjectNode finished, long doneAtMillis) {}

    FakeCloudRun(FakeAuth auth, Faults faults) {
        this.auth = auth;
        this.faults = faults;
    }

    /** How instances start from now on; without it, a service's first revision fails to become ready. */
    void runInstances(Instances starter) {
        this.instances = starter;
    }

    /** How long an instance may sit idle before it is stopped (Cloud Run: up to 15 minutes). */
    public void setIdleShutdown(Duration idle) {
        this.idleShutdown = idle;
    }

    /** How long operations take before a poll reports them done. */
    public void setOperationDelay(Duration delay) {
        this.operationDelay = delay;
    }

    public List<ObjectNode> services() {
        return List.copyOf(services.values());
    }

    /** Puts a service as if someone else had deployed it (no front, no instances). */
    public void putService(ObjectNode service) {
        services.put(service.path("name").asText(), service);
    }

    /** Instances running now for the service. */
    public int instances(String serviceName) {
        Front front = fronts.get(serviceName);
        return front == null ? 0 : front.running();
    }

    /** Each cold start a request waited through: from its arrival to the instance answering the startup probe. */
    public synchronized List<Duration> coldStarts() {
        return List.copyOf(coldStarts);
    }

    void mount(FakeHttps https) {
        https.route("/v2/", exchange -> "run." + exchange.getRequestMethod(), this::admin);
    }

    private void admin(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        Matcher operation = OPERATION.matcher(path);
        Matcher service = SERVICE.matcher(path);
        Matcher list = SERVICES.matcher(path);
        JsonNode answer;
        if (operation.matches() && method.equals("GET")) {
            answer = current(operation.group(1));
        } else if (list.matches() && method.equals("POST")) {
            answer = create(list.group(1), query(exchange, "serviceId"), body(exchange));
        } else if (list.matches() && method.equals("GET")) {
            ObjectNode page = FakeHttps.JSON.createObjectNode();
            var all = page.putArray("services");
            services.values().stream()
                    .filter(s -> s.path("name").asText().startsWith(list.group(1) + "/"))
                    .sorted(java.util.Comparator.comparing(s -> s.path("name").asText()))
                    .forEach(all::add);
            answer = page;
        } else if (service.matches() && method.equals("GET")) {
            answer = find(service.group(1));
        } else if (service.matches() && method.equals("PATCH")) {
            answer = update(service.group(1), body(exchange));
        } else if (service.matches() && method.equals("DELETE")) {
            answer = delete(service.group(1));
        } else {
            throw new FakeHttps.HttpError(Code.UNIMPLEMENTED, method + " " + path + " is not faked");
        }
        FakeHttps.send(exchange, 200, answer.toString());
    }

    private ObjectNode create(String parent, String serviceId, ObjectNode service) {
        if (serviceId == null || !SERVICE_ID.matcher(serviceId).matches()) {
            throw new FakeHttps.HttpError(
                    Code.INVALID_ARGUMENT,
                    "service_id '" + serviceId + "' must be 1-49 lowercase"
                            + " letters, digits and hyphens, starting with a letter and not ending with a hyphen");
        }
        String name = parent + "/services/" + serviceId;
        checkGpuService(service);
        synchronized (this) {
            if (services.containsKey(name)) {
                throw new FakeHttps.HttpError(Code.ALREADY_EXISTS, "Resource '" + serviceId + "' already exists.");
            }
            Front front = new Front(name);
            fronts.put(name, front);
            service.put("name", name)
                    .put("uid", java.util.UUID.randomUUID().toString())
                    .put("generation", 1)
                    .put("createTime", Instant.now().toString())
                    .put("uri", front.url())
                    .put("reconciling", true);
            service.putArray("urls").add(front.url());
            condition(service, "CONDITION_RECONCILING");
            services.put(name, service);
        }
        return startRevision(parent, name, "run.CreateService");
    }

    private ObjectNode update(String name, ObjectNode wanted) {
        ObjectNode current = find(name);
        checkGpuService(wanted);
        synchronized (this) {
            ObjectNode updated = wanted.deepCopy();
            List.of("name", "uid", "createTime", "uri", "urls").forEach(f -> updated.set(f, current.get(f)));
            updated.put("generation", current.path("generation").asLong() + 1).put("reconciling", true);
            updated.set("terminalCondition", current.get("terminalCondition"));
            updated.put("previousTemplate", current.path("template").toString());
            services.put(name, updated);
        }
        return startRevision(name.substring(0, name.indexOf("/services/")), name, "run.UpdateService");
    }

    /**
     * A new revision: one instance is started and must pass its startup probe, as Cloud Run checks a revision before
     * sending it traffic. A revision that fails leaves the service on the one before (or failed, if it has none).
     */
    private ObjectNode startRevision(String parent, String name, String call) {
        String operationName = parent + "/operations/" + ids.incrementAndGet();
        ObjectNode pending =
                FakeHttps.JSON.createObjectNode().put("name", operationName).put("done", false);
        pending.putObject("metadata").put("@type", SERVICE_TYPE).put("name", name);
        operations.put(operationName, new Operation(pending, Long.MAX_VALUE));
        Thread worker = new Thread(
                () -> {
                    ObjectNode done = pending.deepCopy().put("done", true);
                    var fault = faults.take(call, Faults.Where.OPERATION);
                    String failure =
                            fault.map(com.google.rpc.Status::getMessage).orElse(null);
                    if (failure == null) {
                        failure = fronts.get(name).startRevision();
                    }
                    synchronized (this) {
                        ObjectNode service = services.get(name);
                        if (service == null) {
                            return;
                        }
                        service.put("reconciling", false);
                        if (failure == null) {
                            service.remove("previousTemplate");
                            condition(service, "CONDITION_SUCCEEDED");
                            service.put(
                                    "latestReadyRevision",
                                    name + "/revisions/"
                                            + service.path("uid").asText().substring(0, 5) + "-"
                                            + service.path("generation").asText());
                            ObjectNode response = done.putObject("response").put("@type", SERVICE_TYPE);
                            response.setAll(service);
                        } else {
                            if (service.has("previousTemplate")) {
                                // the failed revision gets no traffic: the service keeps the template that was serving
                                service.set(
                                        "template",
                                        readTree(service.remove("previousTemplate")
                                                .asText()));
                            } else {
                                condition(service, "CONDITION_FAILED");
                            }
                            done.putObject("error")
                                    .put(
                                            "code",
                                            fault.map(com.google.rpc.Status::getCode)
                                                    .orElse(Code.FAILED_PRECONDITION_VALUE))
                                    .put("message", failure);
                        }
                    }
                    operations.put(
                            operationName, new Operation(done, System.currentTimeMillis() + operationDelay.toMillis()));
                },
                operationName);
        worker.setDaemon(true);
        worker.start();
        return pending;
    }

    private JsonNode delete(String name) {
        ObjectNode service = find(name);
        services.remove(name);
        Optional.ofNullable(fronts.remove(name)).ifPresent(Front::close);
        String parent = name.substring(0, name.indexOf("/services/"));
        String operationName = parent + "/operations/" + ids.incrementAndGet();
        ObjectNode done =
                FakeHttps.JSON.createObjectNode().put("name", operationName).put("done", true);
        done.putObject("metadata").put("@type", SERVICE_TYPE).put("name", name);
        done.putObject("response").put("@type", SERVICE_TYPE).setAll((ObjectNode) service);
        operations.put(operationName, new Operation(done, System.currentTimeMillis() + operationDelay.toMillis()));
        return current(operationName);
    }

    private JsonNode current(String operationName) {
        Operation operation = operations.get(operationName);
        if (operation == null) {
            throw new FakeHttps.HttpError(Code.NOT_FOUND, "Operation " + operationName + " not found.");
        }
        if (System.currentTimeMillis() >= operation.doneAtMillis()) {
            return operation.finished();
        }
        ObjectNode running = operation.finished().deepCopy().put("done", false);
        running.remove("response");
        running.remove("error");
        return running;
    }

    private ObjectNode find(String name) {
        ObjectNode service = services.get(name);
        if (service == null) {
            throw new FakeHttps.HttpError(
                    Code.NOT_FOUND,
                    "Resource '" + name.substring(name.lastIndexOf('/') + 1) + "' of kind" + " 'SERVICE' in region '"
                            + name.split("/")[3] + "' in project '" + name.split("/")[1] + "' does not exist.");
        }
        return service;
    }

    /** What the real API refuses in a GPU service's template. */
    private static void checkGpuService(JsonNode service) {
        JsonNode template = service.path("template");
        JsonNode containers = template.path("containers");
        if (containers.size() != 1
                || containers.path(0).path("image").asText("").isEmpty()) {
            throw new FakeHttps.HttpError(
                    Code.INVALID_ARGUMENT, "template.containers: exactly one container with an image");
        }
        if (!template.path("nodeSelector").has("accelerator")) {
            return;
        }
        JsonNode resources = containers.path(0).path("resources");
        JsonNode limits = resources.path("limits");
        List<String> wrong = new ArrayList<>();
        if (!"1".equals(limits.path(CloudRunServices.GPU_LIMIT).asText())) {
            wrong.add("resources.limits['nvidia.com/gpu'] must be 1 with a node selector accelerator");
        }
        if (CloudRunServices.cpus(limits.path("cpu").asText("1")).compareTo(BigDecimal.valueOf(4)) < 0) {
            wrong.add("a GPU needs at least 4 CPU");
        }
        if (CloudRunServices.gibibytes(limits.path("memory").asText("512Mi")).compareTo(BigDecimal.valueOf(16)) < 0) {
            wrong.add("a GPU needs at least 16Gi of memory");
        }
        if (resources.path("cpuIdle").asBoolean(true)) {
            wrong.add("a GPU needs CPU always allocated (resources.cpu_idle false)");
        }
        if (template.path("scaling").path("maxInstanceCount").asInt(0) < 1) {
            wrong.add("template.scaling.max_instance_count must be set for a GPU service");
        }
        if (!wrong.isEmpty()) {
            throw new FakeHttps.HttpError(Code.INVALID_ARGUMENT, String.join("; ", wrong));
        }
    }

    private static void condition(ObjectNode service, String state) {
        service.putObject("terminalCondition")
                .put("type", "Ready")
                .put("state", state)
                .put("lastTransitionTime", Instant.now().toString());
    }

    private static ObjectNode body(HttpExchange exchange) throws IOException {
        JsonNode body = FakeHttps.JSON.readTree(exchange.getRequestBody());
        if (body == null || !body.isObject()) {
            throw new FakeHttps.HttpError(Code.INVALID_ARGUMENT, "the body must be a Service");
        }
        return (ObjectNode) body;
    }

    private static JsonNode readTree(String json) {
        try {
            return FakeHttps.JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String query(HttpExchange exchange, String key) {
        String query = exchange.getRequestURI().getRawQuery();
        return query == null ? null : FakeHttps.parseForm(query).get(key);
    }

    @Override
    public void close() {
        fronts.values().forEach(Front::close);
        fronts.clear();
    }

    /** One service's URL: HTTPS on its own port, its instances behind it. */
    private final class Front {
        private final String service;
        private final HttpsServer server;
        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private ServingContainer instance;
        private long lastRequestEnded = System.currentTimeMillis();
        private int inFlight;
        private final Thread reaper;

        Front(String service) {
            this.service = service;
            try {
                server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.setHttpsConfigurator(new HttpsConfigurator(FakeTls.get().serverContext()));
            server.setExecutor(Executors.newCachedThreadPool());
            server.createContext("/", this::handle);
            server.start();
            reaper = new Thread(this::reap, "scale-to-zero " + service);
            reaper.setDaemon(true);
            reaper.start();
        }

        String url() {
            return "https://127.0.0.1:" + server.getAddress().getPort();
        }

        synchronized int running() {
            return instance == null ? 0 : 1;
        }

        /** Starts the new revision's instance (replacing the old one); the failure text, or null when it is ready. */
        String startRevision() {
            JsonNode wanted = services.get(service);
            try {
                ServingContainer started = start(wanted);
                synchronized (this) {
                    Optional.ofNullable(instance).ifPresent(ServingContainer::close);
                    instance = started;
                    lastRequestEnded = System.currentTimeMillis();
                }
                return null;
            } catch (RuntimeException e) {
                return "The user-provided container failed to start and listen on the port defined provided by the PORT=8080"
                        + " environment variable within the allocated timeout: " + e.getMessage();
            }
        }

        private ServingContainer start(JsonNode service) {
            Instances starter = instances;
            if (starter == null) {
                throw new IllegalStateException("no instances: call runInstances() in the test");
            }
            JsonNode container = service.path("template").path("containers").path(0);
            Map<String, String> variables = new LinkedHashMap<>();
            container
                    .path("env")
                    .forEach(v -> variables.put(
                            v.path("name").asText(), v.path("value").asText()));
            variables.put("PORT", String.valueOf(ServingContainer.freePort()));
            variables.put("K_SERVICE", service.path("name").asText().replaceAll(".*/", ""));
            variables.put(
                    "K_REVISION",
                    variables.get("K_SERVICE") + "-"
                            + service.path("generation").asText());
            return starter.apply(service, variables);
        }

        private void handle(HttpExchange exchange) throws IOException {
            synchronized (this) {
                inFlight++;
            }
            try (exchange) {
                JsonNode current = services.get(service);
                if (current == null) {
                    FakeHttps.send(exchange, 404, "{\"error\":\"Page not found\"}");
                    return;
                }
                if (!current.path("invokerIamDisabled").asBoolean(false)) {
                    String header = exchange.getRequestHeaders().getFirst("Authorization");
                    if (header == null
                            || !header.startsWith("Bearer ")
                            || !auth.acceptsIdToken(header.substring(7), url())) {
                        FakeHttps.send(
                                exchange,
                                401,
                                "{\"error\":\"Your client does not have permission to the requested URL.\"}");
                        return;
                    }
                }
                ServingContainer target = instanceHoldingColdStart(current);
                byte[] body = exchange.getRequestBody().readAllBytes();
                HttpRequest.Builder request = HttpRequest.newBuilder(target.baseUrl()
                                .resolve(exchange.getRequestURI().getPath()))
                        .timeout(Duration.ofMinutes(5))
                        .header("Content-Type", "application/json");
                request.method(
                        exchange.getRequestMethod(),
                        body.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
                long sent = System.nanoTime();
                HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                target.answeredPrediction((System.nanoTime() - sent) / 1_000_000);
                FakeHttps.send(exchange, answer.statusCode(), answer.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                FakeHttps.send(
                        exchange,
                        503,
                        "{\"error\":\"" + String.valueOf(e.getMessage()).replace("\"", "'") + "\"}");
            } finally {
                synchronized (this) {
                    inFlight = Math.max(0, inFlight - 1);
                    lastRequestEnded = System.currentTimeMillis();
                }
            }
        }

        /** The running instance, or a new one started while this request waits (a cold start, not a 429). */
        private synchronized ServingContainer instanceHoldingColdStart(JsonNode current) {
            if (instance == null) {
                long began = System.nanoTime();
                instance = start(current);
                Duration coldStart = Duration.ofNanos(System.nanoTime() - began);
                synchronized (FakeCloudRun.this) {
                    coldStarts.add(coldStart);
                }
                System.err.println(
                        "fake Cloud Run: cold start of " + service + " took " + coldStart.toMillis() + " ms");
            }
            return instance;
        }

        private void reap() {
            while (!Thread.currentThread().isInterrupted()) {
                synchronized (this) {
                    if (instance != null
                            && inFlight == 0
                            && System.currentTimeMillis() - lastRequestEnded >= idleShutdown.toMillis()) {
                        instance.close();
                        instance = null;
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void close() {
            reaper.interrupt();
            server.stop(0);
            synchronized (this) {
                Optional.ofNullable(instance).ifPresent(ServingContainer::close);
                instance = null;
            }
        }
    }
}
