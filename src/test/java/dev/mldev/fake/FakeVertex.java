package dev.mldev.fake;

import com.google.cloud.aiplatform.v1beta1.CreateEndpointOperationMetadata;
import com.google.cloud.aiplatform.v1beta1.CreateEndpointRequest;
import com.google.cloud.aiplatform.v1beta1.DeleteEndpointRequest;
import com.google.cloud.aiplatform.v1beta1.DeleteModelRequest;
import com.google.cloud.aiplatform.v1beta1.DeleteOperationMetadata;
import com.google.cloud.aiplatform.v1beta1.DeployModelOperationMetadata;
import com.google.cloud.aiplatform.v1beta1.DeployModelRequest;
import com.google.cloud.aiplatform.v1beta1.DeployModelResponse;
import com.google.cloud.aiplatform.v1beta1.DeployedModel;
import com.google.cloud.aiplatform.v1beta1.Endpoint;
import com.google.cloud.aiplatform.v1beta1.GetEndpointRequest;
import com.google.cloud.aiplatform.v1beta1.GetModelRequest;
import com.google.cloud.aiplatform.v1beta1.ListEndpointsRequest;
import com.google.cloud.aiplatform.v1beta1.ListEndpointsResponse;
import com.google.cloud.aiplatform.v1beta1.ListModelsRequest;
import com.google.cloud.aiplatform.v1beta1.ListModelsResponse;
import com.google.cloud.aiplatform.v1beta1.Model;
import com.google.cloud.aiplatform.v1beta1.UndeployModelOperationMetadata;
import com.google.cloud.aiplatform.v1beta1.UndeployModelRequest;
import com.google.cloud.aiplatform.v1beta1.UndeployModelResponse;
import com.google.cloud.aiplatform.v1beta1.UploadModelOperationMetadata;
import com.google.cloud.aiplatform.v1beta1.UploadModelRequest;
import com.google.cloud.aiplatform.v1beta1.UploadModelResponse;
import com.google.longrunning.Operation;
import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Vertex AI's ModelService and EndpointService (v1beta1), with state: models, endpoints, the models deployed
 * on them with their traffic split, and each deployed model's replica count. Refuses what Vertex refuses
 * (deleting an endpoint that still has models, a model still deployed, an artifact_uri with nothing in it).
 * Tests read the state through {@link #models()}, {@link #endpoints()} and {@link #replicas}.
 */
public final class FakeVertex {
    static final String V1BETA1 = "google.cloud.aiplatform.v1beta1.";

    private final FakeOperations operations;
    private final FakeStorage storage;
    private final Map<String, Model> models = new LinkedHashMap<>();
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private final Map<String, Integer> replicas = new HashMap<>();
    private final Map<String, ServingContainer> running = new HashMap<>();
    private ServingContainer.Runner containers;
    private java.util.function.Predicate<String> modelUsers = model -> false;
    /** When the scale-up from zero of a deployed model began (its first request at zero). */
    private final Map<String, Long> wakeStarted = new HashMap<>();
    /** When each dedicated endpoint gets its DNS name: Vertex leaves it empty for a while after creation. */
    private final Map<String, Long> dnsAssignedAt = new HashMap<>();
    /** The DeployModel operation running on each endpoint: Vertex refuses a second one meanwhile. */
    private final Map<String, String> deploying = new HashMap<>();

    private final AtomicLong ids = new AtomicLong(4_000_000_000L);
    private String dedicatedDns = "127.0.0.1:1";
    private Duration dnsDelay = Duration.ofMillis(300);

    FakeVertex(FakeOperations operations, FakeStorage storage) {
        this.operations = operations;
        this.storage = storage;
    }

    /** Where dedicated endpoints answer predictions (the fake's HTTPS listener). */
    void setDedicatedDns(String hostPort) {
        this.dedicatedDns = hostPort;
    }

    /** How long after its creation a dedicated endpoint's dedicated_endpoint_dns stays empty. */
    public synchronized void setDnsDelay(Duration delay) {
        this.dnsDelay = delay;
    }

    public synchronized List<Model> models() {
        return List.copyOf(models.values());
    }

    public synchronized List<Endpoint> endpoints() {
        return List.copyOf(endpoints.keySet()).stream()
                .map(this::endpoint)
                .map(this::withReplicaStatus)
                .toList();
    }

    public synchronized List<DeployedModel> deployedModels() {
        return endpoints().stream()
                .flatMap(e -> e.getDeployedModelsList().stream())
                .toList();
    }

    public synchronized int replicas(String deployedModelId) {
        return replicas.getOrDefault(deployedModelId, 0);
    }

    synchronized void setReplicas(String deployedModelId, int count) {
        replicas.put(deployedModelId, count);
        wakeStarted.remove(deployedModelId);
    }

    /** The time the scale-up of a model at zero began; the first call starts it. */
    synchronized long wakeStarted(String deployedModelId) {
        return wakeStarted.computeIfAbsent(deployedModelId, id -> System.currentTimeMillis());
    }

    /** An endpoint made elsewhere (the console, another tool), with each deployed model at {@code replicas}. */
    public synchronized void putEndpoint(Endpoint endpoint, int replicas) {
        endpoints.put(endpoint.getName(), endpoint);
        endpoint.getDeployedModelsList().forEach(d -> this.replicas.put(d.getId(), replicas));
    }

    /** The endpoint's models go to zero replicas, as after their idle period. */
    public synchronized void scaleToZero(String endpointName) {
        endpoint(endpointName).getDeployedModelsList().forEach(d -> {
            replicas.put(d.getId(), 0);
            wakeStarted.remove(d.getId());
        });
    }

    /** DeployModel runs the model's serving container from now on (see {@link ServingContainer}). */
    synchronized void runContainers(ServingContainer.Runner runner) {
        this.containers = runner;
    }

    /** What starts serving containers, or null when DeployModel starts none. */
    synchronized ServingContainer.Runner containerRunner() {
        return containers;
    }

    /** {@code inUse} says whether a job that has not ended uses a model: DeleteModel refuses it then. */
    synchronized void setModelUsers(java.util.function.Predicate<String> inUse) {
        this.modelUsers = inUse;
    }

    /** The running serving container of a deployed model, if DeployModel started one. */
    synchronized Optional<ServingContainer> container(String deployedModelId) {
        return Optional.ofNullable(running.get(deployedModelId));
    }

    /** Stops every serving container. */
    synchronized void stopContainers() {
        running.values().forEach(ServingContainer::close);
        running.clear();
    }

    synchronized Model modelNamed(String name) {
        return model(name);
    }

    synchronized Endpoint endpoint(String name) {
        Endpoint endpoint = endpoints.get(name);
        if (endpoint == null) {
            throw Status.NOT_FOUND
                    .withDescription("Endpoint `" + name + "` not found.")
                    .asRuntimeException();
        }
        Long dnsAt = dnsAssignedAt.get(name);
        if (dnsAt != null && System.currentTimeMillis() >= dnsAt) {
            dnsAssignedAt.remove(name);
            endpoint =
                    endpoint.toBuilder().setDedicatedEndpointDns(dedicatedDns).build();
            endpoints.put(name, endpoint);
        }
        return endpoint;
    }

    GrpcFakeServer.Service modelService() {
        return new GrpcFakeServer.Service(V1BETA1 + "ModelService")
                .unary(
                        "UploadModel",
                        UploadModelRequest.getDefaultInstance(),
                        Operation.getDefaultInstance(),
                        this::uploadModel)
                .unary(
                        "GetModel",
                        GetModelRequest.getDefaultInstance(),
                        Model.getDefaultInstance(),
                        r -> model(r.getName()))
                .unary(
                        "ListModels",
                        ListModelsRequest.getDefaultInstance(),
                        ListModelsResponse.getDefaultInstance(),
                        this::listModels)
                .unary(
                        "DeleteModel",
                        DeleteModelRequest.getDefaultInstance(),
                        Operation.getDefaultInstance(),
                        this::deleteModel);
    }

    GrpcFakeServer.Service endpointService() {
        return new GrpcFakeServer.Service(V1BETA1 + "EndpointService")
                .unary(
                        "CreateEndpoint",
                        CreateEndpointRequest.getDefaultInstance(),
                        Operation.getDefaultInstance(),
                        this::createEndpoint)
                .unary(
                        "GetEndpoint",
                        GetEndpointRequest.getDefaultInstance(),
                        Endpoint.getDefaultInstance(),
                        r -> withReplicaStatus(endpoint(r.getName())))
                .unary(
                        "ListEndpoints",
                        ListEndpointsRequest.getDefaultInstance(),
                        ListEndpointsResponse.getDefaultInstance(),
                        this::listEndpoints)
                .unary(
                        "DeleteEndpoint",
                        DeleteEndpointRequest.getDefaultInstance(),
                        Operation.getDefaultInstance(),
                        this::deleteEndpoint)
                .unary(
                        "DeployModel",
                        DeployModelRequest.getDefaultInstance(),
                        Operation.getDefaultInstance(),
                        this::deployModel)
                .unary(
                        "UndeployModel",
                        UndeployModelRequest.getDefaultInstance(),
                        Operation.getDefaultInstance(),
                        this::undeployModel);
    }

    private synchronized Operation uploadModel(UploadModelRequest request) {
        Model model = request.getModel();
        if (model.getContainerSpec().getImageUri().isEmpty()) {
            throw Status.INVALID_ARGUMENT
                    .withDescription("Model.container_spec.image_uri is required.")
                    .asRuntimeException();
        }
        checkArtifacts(model.getArtifactUri());
        return operations.start(
                V1BETA1 + "ModelService/UploadModel",
                request.getParent(),
                UploadModelOperationMetadata.getDefaultInstance(),
                () -> {
                    synchronized (this) {
                        String name = request.getParent() + "/models/" + ids.incrementAndGet();
                        models.put(
                                name,
                                model.toBuilder()
                                        .setName(name)
                                        .setVersionId("1")
                                        .setCreateTime(now())
                                        .build());
                        return UploadModelResponse.newBuilder()
                                .setModel(name)
                                .setModelVersionId("1")
                                .build();
                    }
                });
    }

    private synchronized Model model(String name) {
        Model model = models.get(name);
        if (model == null) {
            throw Status.NOT_FOUND
                    .withDescription("Model `" + name + "` not found.")
                    .asRuntimeException();
        }
        return model;
    }

    private synchronized ListModelsResponse listModels(ListModelsRequest request) {
        return ListModelsResponse.newBuilder()
                .addAllModels(models.values().stream()
                        .filter(m -> m.getName().startsWith(request.getParent() + "/"))
                        .filter(m -> matches(request.getFilter(), m.getLabelsMap()))
                        .toList())
                .build();
    }

    private synchronized Operation deleteModel(DeleteModelRequest request) {
        model(request.getName());
        boolean deployed = endpoints.values().stream()
                .flatMap(e -> e.getDeployedModelsList().stream())
                .anyMatch(d -> d.getModel().equals(request.getName()));
        if (deployed) {
            throw Status.FAILED_PRECONDITION
                    .withDescription("The Model \"" + request.getName()
                            + "\" is deployed or being deployed at the following Endpoint(s).")
                    .asRuntimeException();
        }
        if (modelUsers.test(request.getName())) {
            throw Status.FAILED_PRECONDITION
                    .withDescription("The Model \"" + request.getName()
                            + "\" is used by a batch prediction job that has not ended.")
                    .asRuntimeException();
        }
        return operations.start(
                V1BETA1 + "ModelService/DeleteModel",
                request.getName(),
                DeleteOperationMetadata.getDefaultInstance(),
                () -> {
                    synchronized (this) {
                        models.remove(request.getName());
                        return Empty.getDefaultInstance();
                    }
                });
    }

    private synchronized Operation createEndpoint(CreateEndpointRequest request) {
        return operations.start(
                V1BETA1 + "EndpointService/CreateEndpoint",
                request.getParent(),
                CreateEndpointOperationMetadata.getDefaultInstance(),
                () -> {
                    synchronized (this) {
                        String id = request.getEndpointId().isEmpty()
                                ? String.valueOf(ids.incrementAndGet())
                                : request.getEndpointId();
                        String name = request.getParent() + "/endpoints/" + id;
                        Endpoint.Builder endpoint = request.getEndpoint().toBuilder()
                                .setName(name)
                                .setCreateTime(now())
                                .setUpdateTime(now())
                                .setEtag("etag-" + id);
                        if (endpoint.getDedicatedEndpointEnabled()) {
                            dnsAssignedAt.put(name, System.currentTimeMillis() + dnsDelay.toMillis());
                        }
                        endpoints.put(name, endpoint.build());
                        return endpoint.build();
                    }
                });
    }

    private synchronized ListEndpointsResponse listEndpoints(ListEndpointsRequest request) {
        return ListEndpointsResponse.newBuilder()
                .addAllEndpoints(List.copyOf(endpoints.keySet()).stream()
                        .map(this::endpoint)
                        .filter(e -> e.getName().startsWith(request.getParent() + "/"))
                        .filter(e -> matches(request.getFilter(), e.getLabelsMap()))
                        .map(this::withReplicaStatus)
                        .toList())
                .build();
    }

    private synchronized Operation deleteEndpoint(DeleteEndpointRequest request) {
        Endpoint endpoint = endpoint(request.getName());
        if (endpoint.getDeployedModelsCount() > 0) {
            throw Status.FAILED_PRECONDITION
                    .withDescription(
                            "Endpoint " + request.getName() + " has deployed or being-deployed DeployedModel(s).")
                    .asRuntimeException();
        }
        return operations.start(
                V1BETA1 + "EndpointService/DeleteEndpoint",
                request.getName(),
                DeleteOperationMetadata.getDefaultInstance(),
                () -> {
                    synchronized (this) {
                        endpoints.remove(request.getName());
                        return Empty.getDefaultInstance();
                    }
                });
    }

    private synchronized Operation deployModel(DeployModelRequest request) {
        Endpoint endpoint = endpoint(request.getEndpoint());
        DeployedModel wanted = request.getDeployedModel();
        Model model = model(wanted.getModel());
        var resources = wanted.getDedicatedResources();
        if (resources.getMachineSpec().getMachineType().isEmpty()) {
            throw Status.INVALID_ARGUMENT
                    .withDescription("DedicatedResources.machine_spec.machine_type is required.")
                    .asRuntimeException();
        }
        if (resources.getMinReplicaCount() == 0
                && (!endpoint.getDedicatedEndpointEnabled() || !resources.hasScaleToZeroSpec())) {
            throw Status.INVALID_ARGUMENT
                    .withDescription("min_replica_count 0 needs a dedicated endpoint and a scale_to_zero_spec.")
                    .asRuntimeException();
        }
        String inProgress = deploying.get(endpoint.getName());
        if (inProgress != null && operations.running(inProgress)) {
            throw Status.FAILED_PRECONDITION
                    .withDescription("The Endpoint " + endpoint.getName() + " has an operation in progress ("
                            + inProgress + "); retry after it finishes.")
                    .asRuntimeException();
        }
        int splitTotal = request.getTrafficSplitMap().values().stream()
                .mapToInt(Integer::intValue)
                .sum();
        if (!request.getTrafficSplitMap().isEmpty() && splitTotal != 100) {
            throw Status.INVALID_ARGUMENT
                    .withDescription("traffic_split must sum to 100, not " + splitTotal + ".")
                    .asRuntimeException();
        }
        ServingContainer.Runner runner = containers;
        Endpoint before = endpoint;
        String id = String.valueOf(ids.incrementAndGet());
        Supplier<DeployModelResponse> deploy = () -> {
            // the container starts outside the lock: other calls go on while it loads its model
            ServingContainer container = runner == null ? null : runner.start(model, request.getEndpoint(), id);
            synchronized (this) {
                if (container != null) {
                    running.put(id, container);
                }
                DeployedModel deployed =
                        wanted.toBuilder().setId(id).setCreateTime(now()).build();
                Map<String, Integer> split = new LinkedHashMap<>();
                if (request.getTrafficSplitMap().isEmpty()) {
                    endpoint(request.getEndpoint()).getTrafficSplitMap().forEach(split::put);
                    if (split.isEmpty()) {
                        split.put(id, 100);
                    }
                } else {
                    request.getTrafficSplitMap().forEach((k, v) -> split.put("0".equals(k) ? id : k, v));
                }
                Endpoint updated = endpoint(request.getEndpoint()).toBuilder()
                        .addDeployedModels(deployed)
                        .clearTrafficSplit()
                        .putAllTrafficSplit(split)
                        .setUpdateTime(now())
                        .build();
                endpoints.put(updated.getName(), updated);
                int initial = resources.getInitialReplicaCount() > 0
                        ? resources.getInitialReplicaCount()
                        : Math.max(1, resources.getMinReplicaCount());
                replicas.put(id, initial);
                return DeployModelResponse.newBuilder()
                        .setDeployedModel(deployed)
                        .build();
            }
        };
        Runnable undo = () -> {
            synchronized (this) {
                endpoints.put(
                        before.getName(),
                        endpoint(before.getName()).toBuilder()
                                .clearDeployedModels()
                                .addAllDeployedModels(before.getDeployedModelsList())
                                .clearTrafficSplit()
                                .putAllTrafficSplit(before.getTrafficSplitMap())
                                .build());
                replicas.remove(id);
                Optional.ofNullable(running.remove(id)).ifPresent(ServingContainer::close);
            }
        };
        String call = V1BETA1 + "EndpointService/DeployModel";
        var metadata = DeployModelOperationMetadata.getDefaultInstance();
        Operation started = runner == null
                ? operations.start(call, request.getEndpoint(), metadata, deploy, undo)
                : operations.startInBackground(call, request.getEndpoint(), metadata, deploy, undo);
        deploying.put(endpoint.getName(), started.getName());
        return started;
    }

    private synchronized Operation undeployModel(UndeployModelRequest request) {
        Endpoint endpoint = endpoint(request.getEndpoint());
        String id = request.getDeployedModelId();
        if (endpoint.getDeployedModelsList().stream().noneMatch(d -> d.getId().equals(id))) {
            throw Status.NOT_FOUND
                    .withDescription("DeployedModel " + id + " not found on " + endpoint.getName() + ".")
                    .asRuntimeException();
        }
        Map<String, Integer> split = new LinkedHashMap<>(
                request.getTrafficSplitMap().isEmpty() ? endpoint.getTrafficSplitMap() : request.getTrafficSplitMap());
        int traffic = split.getOrDefault(id, 0);
        split.remove(id);
        if (traffic > 0
                && endpoint.getDeployedModelsCount() > 1
                && request.getTrafficSplitMap().isEmpty()) {
            throw Status.FAILED_PRECONDITION
                    .withDescription(
                            "DeployedModel " + id + " still receives traffic; give a traffic_split without it.")
                    .asRuntimeException();
        }
        return operations.start(
                V1BETA1 + "EndpointService/UndeployModel",
                request.getEndpoint(),
                UndeployModelOperationMetadata.getDefaultInstance(),
                () -> {
                    synchronized (this) {
                        Endpoint current = endpoint(request.getEndpoint());
                        List<DeployedModel> remaining = new ArrayList<>(current.getDeployedModelsList());
                        remaining.removeIf(d -> d.getId().equals(id));
                        endpoints.put(
                                current.getName(),
                                current.toBuilder()
                                        .clearDeployedModels()
                                        .addAllDeployedModels(remaining)
                                        .clearTrafficSplit()
                                        .putAllTrafficSplit(split)
                                        .setUpdateTime(now())
                                        .build());
                        replicas.remove(id);
                        Optional.ofNullable(running.remove(id)).ifPresent(ServingContainer::close);
                        return UndeployModelResponse.getDefaultInstance();
                    }
                });
    }

    private Endpoint withReplicaStatus(Endpoint endpoint) {
        Endpoint.Builder builder = endpoint.toBuilder().clearDeployedModels();
        for (DeployedModel d : endpoint.getDeployedModelsList()) {
            builder.addDeployedModels(d.toBuilder()
                    .setStatus(DeployedModel.Status.newBuilder()
                            .setAvailableReplicaCount(replicas.getOrDefault(d.getId(), 0))
                            .setLastUpdateTime(now())));
        }
        return builder.build();
    }

    private void checkArtifacts(String artifactUri) {
        Matcher m = Pattern.compile("gs://([^/]+)/(.*)").matcher(artifactUri);
        if (!m.matches()) {
            throw Status.INVALID_ARGUMENT
                    .withDescription("artifact_uri must be a gs:// URI, not '" + artifactUri + "'.")
                    .asRuntimeException();
        }
        boolean any;
        try {
            any = storage.objects(m.group(1)).keySet().stream().anyMatch(k -> k.startsWith(m.group(2)));
        } catch (FakeHttps.HttpError e) {
            any = false;
        }
        if (!any) {
            throw Status.FAILED_PRECONDITION
                    .withDescription("No files found in " + artifactUri + ".")
                    .asRuntimeException();
        }
    }

    /** Vertex's list filter ({@link FakeFilter}) over a resource's labels. */
    static boolean matches(String filter, Map<String, String> labels) {
        return FakeFilter.parse(filter, Set.of()).matches(FakeFilter.labels(labels));
    }

    /** The same, for resources that have a state: {@code state="JOB_STATE_RUNNING"} terms too. */
    static boolean matches(String filter, Map<String, String> labels, String state) {
        Map<String, String> values = FakeFilter.labels(labels);
        values.put("state", state);
        return FakeFilter.parse(filter, Set.of("state")).matches(values);
    }

    static Timestamp now() {
        Instant now = Instant.now();
        return Timestamp.newBuilder()
                .setSeconds(now.getEpochSecond())
                .setNanos(now.getNano())
                .build();
    }
}
