package dev.mldev.cost;

import dev.mldev.deploy.DeploymentStatus;
import java.util.Locale;

/** Local deployments as billables: a server on this machine bills nothing, whatever its state. */
public final class LocalBillables {
    private LocalBillables() {
    }

    public static Billable of(DeploymentStatus status) {
        Billable.State state = switch (status.state().toLowerCase(Locale.ROOT)) {
            // a local server with its model in memory is what the status table calls warm
            case "loaded", "warm" -> Billable.State.WARM;
            case "zero" -> Billable.State.ZERO;
            case "running" -> Billable.State.RUNNING;
            default -> Billable.State.DOWN;
        };
        return Billable.builder(status.name(), status.target(), Billable.Kind.LOCAL, state)
                .replicasNow(state == Billable.State.WARM || state == Billable.State.RUNNING ? 1 : 0)
                .idleSince(status.idleSince()).url(status.url())
                .requestsServed(status.requestsServed() < 0 ? null : status.requestsServed())
                .build();
    }
}
