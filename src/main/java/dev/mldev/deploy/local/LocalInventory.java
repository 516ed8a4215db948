package dev.mldev.deploy.local;

import dev.mldev.DeploymentState;
import dev.mldev.TargetKind;
import dev.mldev.cost.Billable;
import dev.mldev.cost.Inventory;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.DeploymentStatus;
import java.util.List;

/** The local deployments as billables: a server on this machine bills nothing, whatever its state. */
public final class LocalInventory implements Inventory {
    private final LocalTarget target;
    private final List<DeploymentRecord> records;

    /** @param records the recorded deployments; those of other targets are left out */
    public LocalInventory(LocalTarget target, List<DeploymentRecord> records) {
        this.target = target;
        this.records = records;
    }

    @Override
    public List<Billable> list() {
        return records.stream()
                .filter(r -> r.target() == TargetKind.LOCAL)
                .map(r -> of(target.status(r)))
                .toList();
    }

    static Billable of(DeploymentStatus status) {
        DeploymentState state = status.state();
        return Billable.builder(status.name(), status.target(), Billable.Kind.LOCAL, state)
                .replicasNow(state == DeploymentState.WARM || state == DeploymentState.RUNNING ? 1 : 0)
                .idleSince(status.idleSince())
                .url(status.url())
                .requestsServed(status.requestsServed() < 0 ? null : status.requestsServed())
                .build();
    }
}
