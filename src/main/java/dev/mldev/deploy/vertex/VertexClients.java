package dev.mldev.deploy.vertex;

import com.google.api.gax.longrunning.OperationFuture;
import com.google.api.gax.longrunning.OperationTimedPollAlgorithm;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.ApiException;
import com.google.cloud.aiplatform.v1beta1.Endpoint;
import com.google.cloud.aiplatform.v1beta1.EndpointServiceClient;
import com.google.cloud.aiplatform.v1beta1.EndpointServiceSettings;
import com.google.cloud.aiplatform.v1beta1.ListEndpointsRequest;
import com.google.cloud.aiplatform.v1beta1.ListModelsRequest;
import com.google.cloud.aiplatform.v1beta1.Model;
import com.google.cloud.aiplatform.v1beta1.ModelServiceClient;
import com.google.cloud.aiplatform.v1beta1.ModelServiceSettings;
import dev.mldev.Durations;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.cloud.Backoff;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.CloudErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;

/**
 * The v1beta1 Model and Endpoint clients (v1 lacks scale-to-zero) for one project and region, and the way
 * mldev waits on their long-running operations: starting one is retried like any call, the wait shows the
 * elapsed time and an interrupt says what was left running.
 */
final class VertexClients implements AutoCloseable {
    /**
     * How often operations (and an endpoint without its DNS name) are polled: quickly at first, then every
     * {@code max}, for at most {@code total} (an operation) or {@code dnsWait} (the DNS name).
     */
    record Polling(Duration initial, Duration max, Duration total, Duration dnsWait) {
        static final Polling STANDARD = new Polling(
                Duration.ofSeconds(2), Duration.ofSeconds(20), Duration.ofMinutes(90), Duration.ofMinutes(10));

        RetrySettings retrySettings() {
            return RetrySettings.newBuilder()
                    .setInitialRetryDelayDuration(initial)
                    .setRetryDelayMultiplier(1.5)
                    .setMaxRetryDelayDuration(max)
                    .setTotalTimeoutDuration(total)
                    .setInitialRpcTimeoutDuration(Duration.ofSeconds(30))
                    .setRpcTimeoutMultiplier(1.0)
                    .setMaxRpcTimeoutDuration(Duration.ofSeconds(30))
                    .setMaxAttempts(0)
                    .setJittered(true)
                    .build();
        }
    }

    final CloudContext cloud;
    final ModelServiceClient models;
    final EndpointServiceClient endpoints;
    private final Polling polling;

    private VertexClients(
            CloudContext cloud, ModelServiceClient models, EndpointServiceClient endpoints, Polling polling) {
        this.cloud = cloud;
        this.models = models;
        this.endpoints = endpoints;
        this.polling = polling;
    }

    static VertexClients open(CloudContext cloud, Polling polling) {
        OperationTimedPollAlgorithm poll = OperationTimedPollAlgorithm.create(polling.retrySettings());
        try {
            ModelServiceSettings.Builder model = cloud.configureAiplatform(ModelServiceSettings.newBuilder());
            model.uploadModelOperationSettings().setPollingAlgorithm(poll);
            model.deleteModelOperationSettings().setPollingAlgorithm(poll);
            EndpointServiceSettings.Builder endpoint = cloud.configureAiplatform(EndpointServiceSettings.newBuilder());
            endpoint.createEndpointOperationSettings().setPollingAlgorithm(poll);
            endpoint.deleteEndpointOperationSettings().setPollingAlgorithm(poll);
            endpoint.deployModelOperationSettings().setPollingAlgorithm(poll);
            endpoint.undeployModelOperationSettings().setPollingAlgorithm(poll);
            ModelServiceClient modelClient = ModelServiceClient.create(model.build());
            return new VertexClients(cloud, modelClient, EndpointServiceClient.create(endpoint.build()), polling);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Vertex AI clients", e);
        }
    }

    /** The endpoints in the project and region that match a Vertex list filter. */
    List<Endpoint> listEndpoints(String filter) {
        var request = ListEndpointsRequest.newBuilder()
                .setParent(cloud.location())
                .setFilter(filter)
                .build();
        return call(
                "listing endpoints in " + cloud.location(),
                () -> StreamSupport.stream(
                                endpoints.listEndpoints(request).iterateAll().spliterator(), false)
                        .toList());
    }

    /** The models in the project and region that match a Vertex list filter. */
    List<Model> listModels(String filter) {
        var request = ListModelsRequest.newBuilder()
                .setParent(cloud.location())
                .setFilter(filter)
                .build();
        return call(
                "listing models in " + cloud.location(),
                () -> StreamSupport.stream(
                                models.listModels(request).iterateAll().spliterator(), false)
                        .toList());
    }

    /**
     * The endpoint once Vertex AI has given it its DNS name: {@code dedicated_endpoint_dns} can be empty in the
     * CreateEndpoint and DeployModel results for a while, so the endpoint is read again until it is set.
     */
    Endpoint awaitDedicatedDns(Endpoint endpoint, Progress progress) {
        Backoff backoff = new Backoff(polling.initial(), polling.max(), 1.5);
        long began = System.nanoTime();
        Endpoint current = endpoint;
        while (current.getDedicatedEndpointDns().isBlank()) {
            Duration waited = Duration.ofNanos(System.nanoTime() - began);
            if (waited.compareTo(polling.dnsWait()) >= 0) {
                progress.status("");
                throw MldevException.remote(
                        "Vertex AI gave endpoint " + endpoint.getName() + " no DNS name within "
                                + Durations.format(polling.dnsWait()) + ": mldev cannot send it predictions yet",
                        "run the same deploy again later: it changes nothing else and records the address once it is set",
                        null);
            }
            progress.status("waiting for the endpoint's DNS name (" + waited.toSeconds() + " s)");
            Backoff.sleep(backoff.nextDelay());
            current = call("reading endpoint " + endpoint.getName(), () -> endpoints.getEndpoint(endpoint.getName()));
        }
        progress.status("");
        return current;
    }

    /** A plain call, retried and translated. */
    <T> T call(String doing, Supplier<T> call) {
        return cloud.retry().call(doing, call);
    }

    /** Starts a long-running operation (retried until accepted) and waits for its result. */
    <R> R operation(String doing, Supplier<OperationFuture<R, ?>> start, Progress progress) {
        OperationFuture<R, ?> future = cloud.retry().call(doing, () -> {
            OperationFuture<R, ?> started = start.get();
            try {
                started.getInitialFuture().get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof ApiException api ? api : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                throw interrupted(doing, e);
            }
            return started;
        });
        long began = System.nanoTime();
        while (true) {
            try {
                R result = future.get(1, TimeUnit.SECONDS);
                progress.status("");
                return result;
            } catch (TimeoutException e) {
                long seconds = Duration.ofNanos(System.nanoTime() - began).toSeconds();
                progress.status(doing + " (" + seconds + " s)");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof ApiException api) {
                    throw CloudErrors.translate(api, doing, cloud.project());
                }
                throw MldevException.remote(doing + " failed: " + e.getCause().getMessage(), null, e.getCause());
            } catch (InterruptedException e) {
                throw interrupted(doing, e);
            }
        }
    }

    private MldevException interrupted(String doing, InterruptedException e) {
        Thread.currentThread().interrupt();
        return MldevException.failure(
                "interrupted while " + doing + "; Google Cloud may still finish it",
                "run the same deploy again to finish, or 'mldev undeploy NAME' to remove what exists");
    }

    @Override
    public void close() {
        models.close();
        endpoints.close();
    }
}
