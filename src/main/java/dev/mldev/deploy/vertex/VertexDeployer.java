package dev.mldev.deploy.vertex;

import com.google.cloud.aiplatform.v1beta1.DeployedModel;
import com.google.cloud.aiplatform.v1beta1.Endpoint;
import com.google.cloud.aiplatform.v1beta1.Model;
import com.google.cloud.aiplatform.v1beta1.UndeployModelRequest;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.bundle.Bundle;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.GcsLocation;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.DeploymentStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Deploys a bundle to a Vertex AI dedicated endpoint that scales to zero:
 * upload the bundle, upload a Model, create (or reuse) the endpoint, deploy with all traffic to the new model,
 * then undeploy the models it replaces. The same bundle and settings again change nothing. A failure rolls
 * back what this run created; the record is saved before the long wait so an interrupted run can be finished
 * by running it again, or removed by {@link VertexUndeployer}.
 */
public final class VertexDeployer {
    private final DeploymentStore store;
    private final VertexClients.Polling polling;

    public VertexDeployer(DeploymentStore store) {
        this(store, VertexClients.Polling.STANDARD);
    }

    VertexDeployer(DeploymentStore store, VertexClients.Polling polling) {
        this.store = store;
        this.polling = polling;
    }

    /** What a deploy did: {@code changed} is false when the same bundle and settings were already serving. */
    public record Outcome(VertexDeployment deployment, boolean changed, List<String> replacedDeployedModels) {}

    public Outcome deploy(CloudContext cloud, Bundle bundle, VertexSpec spec, Progress progress) {
        String version = VertexResources.safeVersion(bundle.manifest().version());
        String key = VertexResources.deploymentKey(bundle, spec);
        GcsLocation artifacts = VertexModels.artifacts(bundle, spec);
        try (VertexClients vertex = VertexClients.open(cloud, polling)) {
            Optional<Endpoint> endpoint = findEndpoint(vertex, spec.name());
            Optional<DeployedModel> current = endpoint.flatMap(e -> deployedWithKey(vertex, e, key));
            if (current.isPresent()) {
                progress.step(spec.name() + " already serves this bundle with these settings: nothing to change");
                Endpoint addressed = vertex.awaitDedicatedDns(endpoint.get(), progress);
                VertexDeployment deployment = record(
                        bundle,
                        spec,
                        version,
                        artifacts,
                        key,
                        addressed,
                        current.get().getModel(),
                        current.get().getId(),
                        "deployed");
                List<String> retired = retireOthers(vertex, endpoint.get(), current.get(), progress);
                store.save(deployment.toRecord());
                return new Outcome(deployment, !retired.isEmpty(), retired);
            }
            Optional<DeploymentRecord> previousRecord = store.find(spec.name());
            Rollback rollback = new Rollback();
            DeployedModel deployed;
            Endpoint target;
            try {
                VertexModels.uploadBundle(cloud, bundle, artifacts, progress);
                Model model =
                        VertexModels.findOrUpload(vertex, spec, version, artifacts.uri(), key, rollback, progress);
                target = endpoint.isPresent() ? endpoint.get() : createEndpoint(vertex, spec, rollback, progress);
                store.save(record(bundle, spec, version, artifacts, key, target, model.getName(), null, "deploying")
                        .toRecord());
                deployed = deployModel(vertex, target, spec, model, version, rollback, progress);
            } catch (RuntimeException e) {
                String undone = rollback.undoAll();
                previousRecord.ifPresentOrElse(store::save, () -> store.remove(spec.name()));
                throw withRollback(e, undone);
            }
            // the model serves from here on: waiting for the endpoint's DNS name rolls nothing back
            Endpoint now = vertex.awaitDedicatedDns(
                    vertex.call(
                            "reading endpoint " + target.getName(),
                            () -> vertex.endpoints.getEndpoint(target.getName())),
                    progress);
            VertexDeployment deployment = record(
                    bundle, spec, version, artifacts, key, now, deployed.getModel(), deployed.getId(), "deployed");
            store.save(deployment.toRecord());
            DeployedModel fresh = now.getDeployedModelsList().stream()
                    .filter(d -> d.getId().equals(deployment.deployedModelId()))
                    .findFirst()
                    .orElseThrow();
            List<String> retired = retireOthers(vertex, now, fresh, progress);
            return new Outcome(deployment, true, retired);
        }
    }

    private static Optional<Endpoint> findEndpoint(VertexClients vertex, String name) {
        List<Endpoint> found = vertex.listEndpoints(VertexResources.labelFilter(name));
        if (found.size() > 1) {
            throw MldevException.failure(
                    found.size() + " endpoints are labelled mldev-name=" + name + " in " + vertex.cloud.location(),
                    "remove the extra ones with 'mldev undeploy " + name + " --target vertex' and deploy again");
        }
        return found.stream().findFirst();
    }

    private static Optional<DeployedModel> deployedWithKey(VertexClients vertex, Endpoint endpoint, String key) {
        for (DeployedModel deployed : endpoint.getDeployedModelsList()) {
            Model model = vertex.call(
                    "reading model " + deployed.getModel(), () -> vertex.models.getModel(deployed.getModel()));
            if (key.equals(model.getLabelsMap().get(VertexResources.KEY_LABEL))
                    && endpoint.getTrafficSplitMap().getOrDefault(deployed.getId(), 0) == 100) {
                return Optional.of(deployed);
            }
        }
        return Optional.empty();
    }

    private static Endpoint createEndpoint(
            VertexClients vertex, VertexSpec spec, Rollback rollback, Progress progress) {
        progress.step("creating dedicated endpoint mldev-" + spec.name());
        Endpoint created = vertex.operation(
                "creating endpoint mldev-" + spec.name(),
                () -> vertex.endpoints.createEndpointAsync(vertex.cloud.location(), VertexResources.endpoint(spec)),
                progress);
        rollback.add(
                "deleted endpoint " + created.getName(),
                () -> vertex.operation(
                        "deleting endpoint " + created.getName(),
                        () -> vertex.endpoints.deleteEndpointAsync(created.getName()),
                        Progress.NONE));
        return created;
    }

    private static DeployedModel deployModel(
            VertexClients vertex,
            Endpoint endpoint,
            VertexSpec spec,
            Model model,
            String version,
            Rollback rollback,
            Progress progress) {
        progress.step("deploying " + spec.name() + " on " + spec.machineType()
                + spec.gpu()
                        .map(g -> " with " + spec.gpuCount() + " x " + g.gcloudName())
                        .orElse("")
                + " (this takes several minutes)");
        DeployedModel deployed = vertex.operation(
                        "deploying model " + spec.name(),
                        () -> vertex.endpoints.deployModelAsync(
                                endpoint.getName(),
                                VertexResources.deployedModel(spec, model.getName(), version),
                                VertexResources.allTrafficToNew()),
                        progress)
                .getDeployedModel();
        Map<String, Integer> previousSplit = endpoint.getTrafficSplitMap();
        rollback.add(
                "undeployed model " + deployed.getId(),
                () -> vertex.operation(
                        "undeploying model " + deployed.getId(),
                        () -> vertex.endpoints.undeployModelAsync(UndeployModelRequest.newBuilder()
                                .setEndpoint(endpoint.getName())
                                .setDeployedModelId(deployed.getId())
                                .putAllTrafficSplit(previousSplit)
                                .build()),
                        Progress.NONE));
        return deployed;
    }

    /** Undeploys every other model on the endpoint once {@code keep} takes all traffic. */
    private static List<String> retireOthers(
            VertexClients vertex, Endpoint endpoint, DeployedModel keep, Progress progress) {
        List<String> retired = new java.util.ArrayList<>();
        for (DeployedModel old : endpoint.getDeployedModelsList()) {
            if (old.getId().equals(keep.getId())) {
                continue;
            }
            progress.step("undeploying the replaced model " + old.getId());
            vertex.operation(
                    "undeploying the replaced model " + old.getId(),
                    () -> vertex.endpoints.undeployModelAsync(UndeployModelRequest.newBuilder()
                            .setEndpoint(endpoint.getName())
                            .setDeployedModelId(old.getId())
                            .putTrafficSplit(keep.getId(), 100)
                            .build()),
                    progress);
            retired.add(old.getId());
        }
        return retired;
    }

    private static VertexDeployment record(
            Bundle bundle,
            VertexSpec spec,
            String version,
            GcsLocation artifacts,
            String key,
            Endpoint endpoint,
            String model,
            String deployedModelId,
            String state) {
        return new VertexDeployment(
                spec.name(),
                bundle.dir().toAbsolutePath().toString(),
                bundle.manifest().version(),
                spec.project(),
                spec.region(),
                spec.bucket(),
                endpoint.getName(),
                endpoint.getDedicatedEndpointDns(),
                model,
                deployedModelId,
                artifacts.uri(),
                key,
                spec,
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
