package dev.mldev.fake;

import dev.mldev.cloud.AdcCredentials;
import dev.mldev.cloud.CloudEndpoints;
import dev.mldev.serve.ServeOptions;
import dev.mldev.testing.ImageRoot;
import dev.mldev.testing.ServingImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Google Cloud on loopback for tests: Vertex AI (models, endpoints, operations, pipelines, custom and batch prediction jobs) and Cloud
 * Monitoring (time series) over gRPC with TLS, Cloud Storage's JSON API, dedicated-endpoint predictions and the OAuth token endpoint over HTTPS. Every call needs
 * a bearer token from a known service account. {@link #environment} gives the variables that point mldev at it.
 *
 * <p>To fake another service, write a class that returns a {@link GrpcFakeServer.Service} (or mounts HTTPS
 * routes on {@link FakeHttps}) and register it in the constructor, before the servers start.
 */
public final class FakeGoogleCloud implements AutoCloseable {
    public static final String PROJECT = "mldev-test-project";
    public static final String REGION = "us-central1";
    /** Where a serving container finds the fake's CA certificate. */
    private static final String CONTAINER_CA = "/etc/mldev-fake/ca.pem";

    private final FakeAuth auth = new FakeAuth();
    private final Faults faults = new Faults();
    private final FakeOperations operations = new FakeOperations(faults);
    private final FakeStorage storage = new FakeStorage();
    private final FakeVertex vertex = new FakeVertex(operations, storage);
    private final FakePrediction prediction = new FakePrediction(vertex);
    private final FakePipelines pipelines = new FakePipelines(storage);
    private final FakeCustomJobs customJobs = new FakeCustomJobs();
    private final FakeBatchPredictionJobs batchJobs = new FakeBatchPredictionJobs(vertex, storage);
    private final FakeMonitoring monitoring = new FakeMonitoring();
    private final FakeCloudRun cloudRun = new FakeCloudRun(auth, faults);
    private final GrpcFakeServer grpc;
    private final FakeHttps https;
    private final ServiceAccountKey serviceAccount = ServiceAccountKey.generate(PROJECT);
    private final FakeMetadataServer metadata;

    public FakeGoogleCloud() {
        auth.addServiceAccount(serviceAccount);
        metadata = new FakeMetadataServer(auth, serviceAccount, PROJECT);
        https = new FakeHttps(auth, faults);
        storage.mount(https);
        prediction.mount(https);
        cloudRun.mount(https);
        https.start();
        vertex.setDedicatedDns("127.0.0.1:" + https.port());
        grpc = new GrpcFakeServer(auth, faults)
                .add(operations.service())
                .add(vertex.modelService())
                .add(vertex.endpointService())
                .add(pipelines.service())
                .add(batchJobs.addTo(customJobs.service()))
                .add(monitoring.metricService())
                .start();
    }

    /**
     * From now on DeployModel runs the serving image (this build's, unpacked: {@link ServingImage}) as Vertex AI
     * does, and predictions go to it. The container reaches this fake through the storage endpoint override, the
     * CA file (copied into the image) and the metadata server, as a Vertex machine reaches Google Cloud.
     */
    public void runServingImage() {
        runServingImage(ServingImage::root);
    }

    public void runServingImage(Supplier<ImageRoot> image) {
        Supplier<ImageRoot> withCa = () -> {
            ImageRoot root = image.get();
            copy(FakeTls.get().caPem(), root.file(CONTAINER_CA));
            return root;
        };
        Map<String, String> cloud = containerCloud(CONTAINER_CA);
        vertex.runContainers(new ServingContainer.Runner(withCa, cloud));
        cloudRun.runInstances((service, variables) -> {
            ImageRoot root = withCa.get();
            return ServingContainer.launch(
                    root.command(root.entrypoint(), withCloud(variables, cloud), Map.of()),
                    Integer.parseInt(variables.get("PORT")),
                    startupProbePath(service),
                    ServeOptions.DEFAULT_PREDICT_ROUTE);
        });
    }

    /**
     * Cloud Run instances run this build's {@code mldev serve} as a process on this machine (the test class path),
     * with the variables Cloud Run sets: the real serving code and its PORT handling, without building the image.
     */
    public void runCloudRunServeProcesses(Path home) {
        Map<String, String> cloud = containerCloud(FakeTls.get().caPem().toString());
        cloudRun.runInstances((service, variables) -> {
            ProcessBuilder process = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    "dev.mldev.cli.Cli",
                    "serve");
            process.environment().clear();
            process.environment().putAll(withCloud(variables, cloud));
            process.environment().put("HOME", home.toString());
            process.environment().put("XDG_CACHE_HOME", home.resolve("cache").toString());
            return ServingContainer.launch(
                    process,
                    Integer.parseInt(variables.get("PORT")),
                    startupProbePath(service),
                    ServeOptions.DEFAULT_PREDICT_ROUTE);
        });
    }

    /** What a process on a Google Cloud machine reaches this fake through: storage, the CA file, the metadata server. */
    private Map<String, String> containerCloud(String caFile) {
        return Map.of(
                CloudEndpoints.STORAGE_OVERRIDE,
                https.baseUrl() + "/storage/v1/",
                CloudEndpoints.CA_FILE,
                caFile,
                "GCE_METADATA_HOST",
                metadata.host());
    }

    private static Map<String, String> withCloud(Map<String, String> variables, Map<String, String> cloud) {
        Map<String, String> all = new HashMap<>(cloud);
        all.putAll(variables);
        // the one liberty taken: no GPU exists here
        all.computeIfPresent("MLDEV_DEVICE", (name, device) -> device.equals("cuda") ? "cpu" : device);
        return all;
    }

    private static String startupProbePath(com.fasterxml.jackson.databind.JsonNode service) {
        return service.path("template")
                .path("containers")
                .path(0)
                .path("startupProbe")
                .path("httpGet")
                .path("path")
                .asText("/");
    }

    private static void copy(Path from, Path to) {
        try {
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public FakeCustomJobs customJobs() {
        return customJobs;
    }

    public FakeBatchPredictionJobs batchJobs() {
        return batchJobs;
    }

    public FakeCloudRun cloudRun() {
        return cloudRun;
    }

    public FakeMonitoring monitoring() {
        return monitoring;
    }

    public FakeAuth auth() {
        return auth;
    }

    public Faults faults() {
        return faults;
    }

    public FakeOperations operations() {
        return operations;
    }

    public FakeStorage storage() {
        return storage;
    }

    public FakeVertex vertex() {
        return vertex;
    }

    public FakePrediction prediction() {
        return prediction;
    }

    public FakePipelines pipelines() {
        return pipelines;
    }

    public ServiceAccountKey serviceAccount() {
        return serviceAccount;
    }

    public String tokenUri() {
        return https.baseUrl() + "/token";
    }

    /**
     * The environment of a user whose ADC is the fake's service-account key (written under {@code home}):
     * GOOGLE_APPLICATION_CREDENTIALS, the endpoint overrides and the CA file, no metadata-server probe.
     */
    public Map<String, String> environment(Path home) {
        Map<String, String> env = new HashMap<>(baseEnvironment());
        env.put(
                AdcCredentials.CREDENTIALS_VARIABLE,
                serviceAccount
                        .writeJson(home.resolve("keys/sa.json"), PROJECT, tokenUri())
                        .toString());
        return env;
    }

    /** The endpoint overrides and CA file only: no credentials. */
    public Map<String, String> baseEnvironment() {
        return Map.of(
                CloudEndpoints.AIPLATFORM_OVERRIDE,
                "https://" + grpc.address() + "/",
                CloudEndpoints.STORAGE_OVERRIDE,
                https.baseUrl() + "/storage/v1/",
                CloudEndpoints.MONITORING_OVERRIDE,
                "https://" + grpc.address() + "/",
                CloudEndpoints.RUN_OVERRIDE,
                https.baseUrl() + "/",
                CloudEndpoints.CA_FILE,
                FakeTls.get().caPem().toString(),
                "NO_GCE_CHECK",
                "true");
    }

    @Override
    public void close() throws InterruptedException {
        vertex.stopContainers();
        cloudRun.close();
        grpc.close();
        https.close();
        metadata.close();
        pipelines.close();
        batchJobs.close();
    }
}
