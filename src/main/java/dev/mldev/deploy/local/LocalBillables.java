package dev.mldev.deploy.local;

import dev.mldev.DeploymentState;
import dev.mldev.cost.Billable;
import dev.mldev.deploy.DeploymentStatus;

/** Local deployments as billables: a server on this machine bills nothing, whatever its state. */
public final class LocalBillables {
    private LocalBillables() {
    }

    public static Billable of(DeploymentStatus status) {
        DeploymentState state = status.state();
        return Billable.builder(status.name(), status.target(), Billable.Kind.LOCAL, state)
                .replicasNow(state == DeploymentState.WARM || state == DeploymentState.RUNNING ? 1 : 0)
                .idleSince(status.idleSince()).url(status.url())
                .requestsServed(status.requestsServed() < 0 ? null : status.requestsServed())
                .build();
    }
}
