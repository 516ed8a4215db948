package dev.mldev.deploy.vertex;

import com.google.cloud.aiplatform.v1beta1.DeployedModel;
import com.google.cloud.aiplatform.v1beta1.Endpoint;
import com.google.cloud.aiplatform.v1beta1.Model;
import com.google.cloud.aiplatform.v1beta1.UndeployModelRequest;
import com.google.cloud.storage.Storage;
import dev.mldev.Failures;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.GcsLocation;
import dev.mldev.cloud.GcsTransfer;
import dev.mldev.cloud.StorageClients;
import dev.mldev.deploy.DeploymentStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes a Vertex AI deployment: undeploys its models and deletes its endpoint (everything that bills), found
 * by the labels mldev put on them, so what an interrupted deploy left is removed too. With purge, also the
 * Models and the bundle objects in Cloud Storage.
 */
public final class VertexUndeployer {
    private final DeploymentStore store;
    private final VertexClients.Polling polling;

    public VertexUndeployer(DeploymentStore store) {
        this(store, VertexClients.Polling.STANDARD);
    }

    VertexUndeployer(DeploymentStore store, VertexClients.Polling polling) {
        this.store = store;
        this.polling = polling;
    }

    /** What was removed, one line each. */
    public List<String> undeploy(
            CloudContext cloud, VertexDeployment.Location where, boolean purge, Progress progress) {
        List<String> removed = new ArrayList<>();
        try (VertexClients vertex = VertexClients.open(cloud, polling)) {
            for (Endpoint endpoint : vertex.listEndpoints(VertexResources.labelFilter(where.name()))) {
                List<DeployedModel> deployed = new ArrayList<>(endpoint.getDeployedModelsList());
                while (!deployed.isEmpty()) {
                    DeployedModel model = deployed.remove(0);
                    UndeployModelRequest.Builder request = UndeployModelRequest.newBuilder()
                            .setEndpoint(endpoint.getName())
                            .setDeployedModelId(model.getId());
                    if (!deployed.isEmpty()) {
                        request.putTrafficSplit(deployed.get(0).getId(), 100);
                    }
                    progress.step("undeploying model " + model.getId() + " from " + endpoint.getName());
                    vertex.operation(
                            "undeploying model " + model.getId(),
                            () -> vertex.endpoints.undeployModelAsync(request.build()),
                            progress);
                    removed.add("undeployed model " + model.getId());
                }
                progress.step("deleting endpoint " + endpoint.getName());
                vertex.operation(
                        "deleting endpoint " + endpoint.getName(),
                        () -> vertex.endpoints.deleteEndpointAsync(endpoint.getName()),
                        progress);
                removed.add("deleted endpoint " + endpoint.getName());
            }
            if (purge) {
                for (Model model : vertex.listModels(VertexResources.labelFilter(where.name()))) {
                    progress.step("deleting model " + model.getName());
                    vertex.operation(
                            "deleting model " + model.getName(),
                            () -> vertex.models.deleteModelAsync(model.getName()),
                            progress);
                    removed.add("deleted model " + model.getName());
                }
                if (where.bucket() != null && !where.bucket().isBlank()) {
                    GcsLocation bundles = GcsLocation.of(where.bucket(), "mldev/" + where.name() + "/");
                    Failures.wrapping(
                            () -> {
                                try (Storage storage = StorageClients.create(cloud)) {
                                    int count = new GcsTransfer(storage, cloud.retry()).deleteAll(bundles);
                                    removed.add("deleted " + count + " objects under " + bundles.uri());
                                }
                            },
                            e -> MldevException.remote(
                                    "deleting " + bundles.uri() + " failed: " + e.getMessage(), null, e));
                }
            }
        }
        store.remove(where.name());
        return removed;
    }
}
