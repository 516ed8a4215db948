package dev.mldev.deploy.vertex;

import com.google.cloud.aiplatform.v1beta1.Model;
import com.google.cloud.storage.Storage;
import dev.mldev.Failures;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.bundle.Bundle;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.GcsLocation;
import dev.mldev.cloud.GcsTransfer;
import dev.mldev.cloud.StorageClients;
import java.util.Optional;

/**
 * A bundle as a Vertex AI Model: its files uploaded under {@code gs://BUCKET/mldev/NAME/VERSION/}, and a Model with
 * the serving image that reads them, found again by its mldev-key label when an earlier run uploaded the same.
 * The deploy and batch prediction both use it.
 */
public final class VertexModels {
    private VertexModels() {}

    /** An uploaded model's resource name; {@code reused} when an earlier run had uploaded it already. */
    public record Uploaded(String name, boolean reused) {}

    /** Uploads the bundle and finds or uploads its Model; nothing is rolled back on failure (there is nothing to undo). */
    public static Uploaded upload(CloudContext cloud, Bundle bundle, VertexSpec spec, Progress progress) {
        String version = VertexResources.safeVersion(bundle.manifest().version());
        GcsLocation artifacts = artifacts(bundle, spec);
        try (VertexClients vertex = VertexClients.open(cloud, VertexClients.Polling.STANDARD)) {
            uploadBundle(cloud, bundle, artifacts, progress);
            String key = VertexResources.deploymentKey(bundle, spec);
            Optional<Model> existing = find(vertex, spec, key);
            if (existing.isPresent()) {
                progress.step("reusing model " + existing.get().getName() + " uploaded by an earlier run");
                return new Uploaded(existing.get().getName(), true);
            }
            return new Uploaded(uploadNew(vertex, spec, version, artifacts.uri(), key, progress), false);
        }
    }

    /** Deletes a model (one no endpoint serves). */
    public static void delete(CloudContext cloud, String model, Progress progress) {
        try (VertexClients vertex = VertexClients.open(cloud, VertexClients.Polling.STANDARD)) {
            progress.step("deleting model " + model);
            vertex.operation("deleting model " + model, () -> vertex.models.deleteModelAsync(model), progress);
        }
    }

    static GcsLocation artifacts(Bundle bundle, VertexSpec spec) {
        return GcsLocation.of(
                spec.bucket(),
                "mldev/" + spec.name() + "/"
                        + VertexResources.safeVersion(bundle.manifest().version()) + "/");
    }

    static void uploadBundle(CloudContext cloud, Bundle bundle, GcsLocation artifacts, Progress progress) {
        progress.step("uploading bundle to " + artifacts.uri());
        Failures.wrapping(
                () -> {
                    try (Storage storage = StorageClients.create(cloud)) {
                        new GcsTransfer(storage, cloud.retry())
                                .upload(bundle.dir(), bundle.files(), artifacts, progress);
                    }
                },
                e -> MldevException.remote("uploading the bundle failed: " + e.getMessage(), null, e));
    }

    private static Optional<Model> find(VertexClients vertex, VertexSpec spec, String key) {
        return vertex.listModels(VertexResources.modelFilter(spec.name(), key)).stream()
                .findFirst();
    }

    /** The model with this key that an earlier run uploaded, or a new one (deleted by {@code rollback} if it runs). */
    static Model findOrUpload(
            VertexClients vertex,
            VertexSpec spec,
            String version,
            String artifactUri,
            String key,
            Rollback rollback,
            Progress progress) {
        Optional<Model> existing = find(vertex, spec, key);
        if (existing.isPresent()) {
            progress.step("reusing model " + existing.get().getName() + " uploaded by an earlier run");
            return existing.get();
        }
        String name = uploadNew(vertex, spec, version, artifactUri, key, progress);
        rollback.add(
                "deleted model " + name,
                () -> vertex.operation(
                        "deleting model " + name, () -> vertex.models.deleteModelAsync(name), Progress.NONE));
        return vertex.call("reading model " + name, () -> vertex.models.getModel(name));
    }

    private static String uploadNew(
            VertexClients vertex, VertexSpec spec, String version, String artifactUri, String key, Progress progress) {
        progress.step("uploading model " + spec.name() + " (" + version + ")");
        Model model = VertexResources.model(spec, version, artifactUri, key);
        return vertex.operation(
                        "uploading model " + spec.name(),
                        () -> vertex.models.uploadModelAsync(vertex.cloud.location(), model),
                        progress)
                .getModel();
    }
}
