package dev.mldev.deploy.cloudrun;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.cloud.Backoff;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.CloudErrors;
import dev.mldev.cloud.GoogleRest;
import dev.mldev.cost.cloudrun.CloudRunInventory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The Cloud Run Admin API v2 calls mldev makes (REST JSON), and the wait on their long-running operations: polled
 * with backoff, showing the elapsed time; an operation that ends in an error is translated like a failed call.
 */
final class CloudRunApi {
    /** How operations are polled: quickly at first, then every {@code max}, for at most {@code total}. */
    record Polling(Duration initial, Duration max, Duration total) {
        static final Polling STANDARD =
                new Polling(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(30));
    }

    final CloudContext cloud;
    private final GoogleRest rest;
    private final Polling polling;

    CloudRunApi(CloudContext cloud, Polling polling) {
        this.cloud = cloud;
        this.rest = new GoogleRest(cloud, cloud.endpoints().runBaseUrl());
        this.polling = polling;
    }

    Optional<JsonNode> findService(String name) {
        return rest.find("reading Cloud Run service " + name, "/v2/" + name);
    }

    List<JsonNode> listServices() {
        return CloudRunInventory.services(rest, cloud.location());
    }

    JsonNode createService(String serviceId, JsonNode service, Progress progress) {
        String doing = "creating Cloud Run service " + serviceId;
        return await(
                doing,
                rest.post(doing, "/v2/" + cloud.location() + "/services?serviceId=" + serviceId, service),
                progress);
    }

    JsonNode updateService(String name, JsonNode service, Progress progress) {
        String doing = "updating Cloud Run service " + name;
        return await(doing, rest.patch(doing, "/v2/" + name, service), progress);
    }

    void deleteService(String name, Progress progress) {
        String doing = "deleting Cloud Run service " + name;
        await(doing, rest.delete(doing, "/v2/" + name), progress);
    }

    /** Polls the operation until done; its response (the service), or its error as an exception. */
    private JsonNode await(String doing, JsonNode operation, Progress progress) {
        Backoff backoff = new Backoff(polling.initial(), polling.max(), 1.5);
        long began = System.nanoTime();
        JsonNode current = operation;
        while (!current.path("done").asBoolean(false)) {
            Duration waited = Duration.ofNanos(System.nanoTime() - began);
            if (waited.compareTo(polling.total()) >= 0) {
                progress.status("");
                throw MldevException.remote(
                        doing + " did not finish within " + polling.total().toMinutes() + " minutes",
                        "see the service in the Cloud Run console; run the same deploy again to finish, or 'mldev undeploy NAME'",
                        null);
            }
            progress.status(doing + " (" + waited.toSeconds() + " s)");
            Backoff.sleep(backoff.nextDelay());
            String name = current.path("name").asText();
            current = rest.get(doing, "/v2/" + name);
        }
        progress.status("");
        JsonNode error = current.path("error");
        if (!error.isMissingNode() && error.path("code").asInt(0) != 0) {
            String message = error.path("message").asText("operation failed");
            Optional<String> quota = CloudErrors.quotaNamedIn(message);
            if (error.path("code").asInt() == 8 || quota.isPresent()) {
                throw MldevException.remote(
                        doing + " failed: quota exceeded: " + message,
                        "Cloud Run GPU quota is granted per region: "
                                + CloudErrors.quotaHint(cloud.project(), quota.orElse(null)),
                        null);
            }
            throw MldevException.remote(doing + " failed: " + message, null, null);
        }
        return current.path("response");
    }
}
