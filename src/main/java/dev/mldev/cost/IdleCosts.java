package dev.mldev.cost;

import dev.mldev.DeploymentState;
import dev.mldev.Durations;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;

/** Prices what the targets report: idle and awake cost per hour of each {@link Billable}, with the reason. */
public final class IdleCosts {
    private final PriceTable table;
    private final NodePricer pricer;
    private final Clock clock;

    public IdleCosts(PriceTable table, Clock clock) {
        this.table = table;
        this.pricer = new NodePricer(table);
        this.clock = clock;
    }

    public IdleCostReport report(List<Billable> billables) {
        return new IdleCostReport(
                clock.instant(), table, billables.stream().map(this::row).toList());
    }

    public IdleCostRow row(Billable b) {
        if (b.kind() == Billable.Kind.LOCAL) {
            return new IdleCostRow(b, BigDecimal.ZERO, BigDecimal.ZERO, "runs on this machine: no cloud bill");
        }
        NodePrice node = pricer.price(b);
        if (b.kind().isJob()) {
            return jobRow(b, node);
        }
        if (b.kind() == Billable.Kind.SERVICE) {
            return serviceRow(b, node);
        }
        return endpointRow(b, node);
    }

    private IdleCostRow jobRow(Billable b, NodePrice node) {
        String what = switch (b.kind()) {
            case PIPELINE_JOB -> "pipeline job";
            case BATCH_JOB -> "batch prediction job";
            default -> "custom job";
        };
        if (b.state() != DeploymentState.RUNNING) {
            return new IdleCostRow(b, BigDecimal.ZERO, BigDecimal.ZERO, what + " not running: bills nothing");
        }
        // a running job bills for every node it holds, traffic or not
        int nodes = Math.max(1, b.replicasNow() == null ? Math.max(1, b.minReplicas()) : b.replicasNow());
        BigDecimal cost = node.times(nodes);
        return new IdleCostRow(b, cost, cost, withUnknown(what + " running on " + shape(b, nodes), node));
    }

    private IdleCostRow endpointRow(Billable b, NodePrice node) {
        if (b.state() == DeploymentState.DOWN) {
            return new IdleCostRow(b, BigDecimal.ZERO, BigDecimal.ZERO, "no model deployed: bills nothing");
        }
        if (b.minReplicas() == 0) {
            // scaled to zero it holds no node, so its idle cost is known even when the node price is not
            String reason = b.scaleToZeroIdle() == null
                    ? "scale-to-zero"
                    : "scale-to-zero after " + Durations.format(b.scaleToZeroIdle()) + " idle";
            return new IdleCostRow(b, BigDecimal.ZERO, node.times(1), withUnknown(reason, node));
        }
        BigDecimal cost = node.times(b.minReplicas());
        return new IdleCostRow(
                b, cost, cost, withUnknown("min replicas " + b.minReplicas() + ": never scales to zero", node));
    }

    private IdleCostRow serviceRow(Billable b, NodePrice node) {
        if (b.minReplicas() == 0) {
            // no instance at min 0, so the idle cost is known even when the instance price is not
            return new IdleCostRow(
                    b,
                    BigDecimal.ZERO,
                    node.times(1),
                    withUnknown("min instances 0: scales to zero, bills only while an instance runs", node));
        }
        BigDecimal cost = node.times(b.minReplicas());
        return new IdleCostRow(
                b,
                cost,
                cost,
                withUnknown(
                        "min instances " + b.minReplicas() + ": keeps "
                                + (b.minReplicas() == 1 ? "an instance" : b.minReplicas() + " instances")
                                + " up, billed every hour",
                        node));
    }

    private static String shape(Billable b, int nodes) {
        String count = nodes > 1 ? nodes + " nodes of " : "";
        if (b.acceleratorType() != null && b.acceleratorCount() > 0) {
            return count + b.acceleratorCount() + " x " + Accelerators.normalize(b.acceleratorType());
        }
        return count + (b.machineType() == null ? "an unknown machine" : b.machineType());
    }

    private static String withUnknown(String reason, NodePrice node) {
        return node.isKnown() ? reason : reason + "; price unknown: " + node.unknown();
    }
}
