package dev.mldev.deploy.cloudrun;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.storage.Storage;
import dev.mldev.Labels;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.bundle.Bundle;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.GcsLocation;
import dev.mldev.cloud.GcsTransfer;
import dev.mldev.cloud.StorageClients;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.DeploymentStore;
import dev.mldev.deploy.vertex.Rollback;
import java.time.Instant;
import java.util.Optional;

/**
 * Deploys a bundle as a Cloud Run GPU service that scales to zero: upload the bundle to Cloud Storage (as for
 * Vertex AI), then create the service, or update it when its settings or bundle changed. The same bundle and settings
 * again change nothing. A failed run rolls back what it created (a new service is deleted; a failed update leaves
 * Cloud Run serving the previous revision); the record is saved before the long wait so an interrupted run can be
 * finished by running it again, or removed with undeploy.
 */
public final class CloudRunDeployer {
    private final DeploymentStore store;
    private final CloudRunApi.Polling polling;

    public CloudRunDeployer(DeploymentStore store) {
        this(store, CloudRunApi.Polling.STANDARD);
    }

    CloudRunDeployer(DeploymentStore store, CloudRunApi.Polling polling) {
        this.store = store;
        this.polling = polling;
    }

    /** What a deploy did: {@code changed} is false when the same bundle and settings were already serving. */
    public record Outcome(CloudRunDeployment deployment, boolean changed) {}

    public Outcome deploy(CloudContext cloud, Bundle bundle, CloudRunSpec spec, Progress progress) {
        CloudRunApi api = new CloudRunApi(cloud, polling);
        String key = CloudRunResources.deploymentKey(bundle, spec);
        GcsLocation artifacts = GcsLocation.of(spec.bucket(), "mldev/" + spec.name() + "/" + safeVersion(bundle) + "/");
        Optional<JsonNode> existing = api.findService(spec.serviceName());
        existing.ifPresent(service -> checkOurs(service, spec));
        if (existing.isPresent()
                && key.equals(existing.get()
                        .path("labels")
                        .path(CloudRunResources.KEY_LABEL)
                        .asText())
                && ready(existing.get())) {
            progress.step(spec.name() + " already serves this bundle with these settings: nothing to change");
            CloudRunDeployment deployment = record(bundle, spec, artifacts, key, existing.get(), "deployed");
            store.save(deployment.toRecord());
            return new Outcome(deployment, false);
        }
        Optional<DeploymentRecord> previousRecord = store.find(spec.name());
        Rollback rollback = new Rollback();
        JsonNode service;
        try {
            progress.step("uploading bundle to " + artifacts.uri());
            upload(cloud, bundle, artifacts, progress);
            JsonNode wanted = CloudRunResources.service(spec, artifacts.uri(), key);
            store.save(record(bundle, spec, artifacts, key, existing.orElse(wanted), "deploying")
                    .toRecord());
            progress.step((existing.isPresent() ? "updating" : "creating") + " Cloud Run service " + spec.serviceId()
                    + " with " + spec.gpu()
                    + " (the first revision pulls the image and starts the model: several minutes)");
            if (existing.isPresent()) {
                service = api.updateService(spec.serviceName(), wanted, progress);
            } else {
                rollback.add("deleted service " + spec.serviceId(), () -> {
                    if (api.findService(spec.serviceName()).isPresent()) {
                        api.deleteService(spec.serviceName(), Progress.NONE);
                    }
                });
                service = api.createService(spec.serviceId(), wanted, progress);
            }
        } catch (RuntimeException e) {
            String undone = rollback.undoAll();
            previousRecord.ifPresentOrElse(store::save, () -> store.remove(spec.name()));
            throw withRollback(
                    e, existing.isPresent() ? undone + "; Cloud Run keeps serving the previous revision" : undone);
        }
        CloudRunDeployment deployment = record(bundle, spec, artifacts, key, service, "deployed");
        store.save(deployment.toRecord());
        return new Outcome(deployment, true);
    }

    /** A service of that id that mldev did not make is left alone. */
    private static void checkOurs(JsonNode service, CloudRunSpec spec) {
        JsonNode labels = service.path("labels");
        if (!Labels.MLDEV.equals(labels.path(Labels.MANAGED_BY).asText())
                || !spec.name().equals(labels.path(Labels.NAME).asText())) {
            throw MldevException.failure(
                    "a Cloud Run service " + spec.serviceId() + " exists in " + spec.region()
                            + " and was not deployed by mldev as '" + spec.name() + "'",
                    "pass another --name");
        }
    }

    static boolean ready(JsonNode service) {
        return "CONDITION_SUCCEEDED"
                .equals(service.path("terminalCondition").path("state").asText());
    }

    private static void upload(CloudContext cloud, Bundle bundle, GcsLocation artifacts, Progress progress) {
        try (Storage storage = StorageClients.create(cloud)) {
            new GcsTransfer(storage, cloud.retry()).upload(bundle.dir(), bundle.files(), artifacts, progress);
        } catch (MldevException e) {
            throw e;
        } catch (Exception e) {
            throw MldevException.remote("uploading the bundle failed: " + e.getMessage(), null, e);
        }
    }

    private static String safeVersion(Bundle bundle) {
        return bundle.manifest().version().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    }

    private static CloudRunDeployment record(
            Bundle bundle, CloudRunSpec spec, GcsLocation artifacts, String key, JsonNode service, String state) {
        String url = service.path("uri").asText("");
        return new CloudRunDeployment(
                spec.name(),
                bundle.dir().toAbsolutePath().toString(),
                bundle.manifest().version(),
                spec.project(),
                spec.region(),
                spec.bucket(),
                spec.serviceName(),
                url.isEmpty() ? null : url,
                artifacts.uri(),
                key,
                spec.publicAccess(),
                spec.maxInstances(),
                state,
                Instant.now());
    }

    private static MldevException withRollback(RuntimeException e, String undone) {
        if (e instanceof MldevException known) {
            return new MldevException(known.kind(), known.getMessage() + "; " + undone, known.hint(), known);
        }
        return MldevException.remote("deploy failed: " + e + "; " + undone, null, e);
    }
}
