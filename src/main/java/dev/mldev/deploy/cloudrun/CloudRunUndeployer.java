package dev.mldev.deploy.cloudrun;

import com.google.cloud.storage.Storage;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.GcsLocation;
import dev.mldev.cloud.GcsTransfer;
import dev.mldev.cloud.StorageClients;
import dev.mldev.deploy.DeploymentStore;
import java.util.ArrayList;
import java.util.List;

/** Deletes a deployment's Cloud Run service (and with purge, its uploaded bundles), then its record. */
public final class CloudRunUndeployer {
    private final DeploymentStore store;
    private final CloudRunApi.Polling polling;

    public CloudRunUndeployer(DeploymentStore store) {
        this(store, CloudRunApi.Polling.STANDARD);
    }

    CloudRunUndeployer(DeploymentStore store, CloudRunApi.Polling polling) {
        this.store = store;
        this.polling = polling;
    }

    /** What was removed, one line each; a service already gone is not an error. */
    public List<String> undeploy(
            CloudContext cloud, CloudRunDeployment.Location where, boolean purge, Progress progress) {
        List<String> removed = new ArrayList<>();
        CloudRunApi api = new CloudRunApi(cloud, polling);
        if (api.findService(where.service()).isPresent()) {
            progress.step("deleting Cloud Run service " + where.service());
            api.deleteService(where.service(), progress);
            removed.add("deleted service " + where.service());
        }
        if (purge && where.bucket() != null && !where.bucket().isBlank()) {
            GcsLocation bundles = GcsLocation.of(where.bucket(), "mldev/" + where.name() + "/");
            try (Storage storage = StorageClients.create(cloud)) {
                int count = new GcsTransfer(storage, cloud.retry()).deleteAll(bundles);
                removed.add("deleted " + count + " objects under " + bundles.uri());
            } catch (MldevException e) {
                throw e;
            } catch (Exception e) {
                throw MldevException.remote("deleting " + bundles.uri() + " failed: " + e.getMessage(), null, e);
            }
        }
        store.remove(where.name());
        return removed;
    }
}
