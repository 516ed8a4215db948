package dev.mldev.cost;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * Prices one node of a {@link Billable}: machine type plus accelerator count x accelerator price, from the
 * price table of its region, each row at its Vertex AI price (Compute Engine rows times the markup, Vertex AI rows
 * as they are). Local nodes cost nothing.
 */
public final class NodePricer {
    private final PriceTable table;

    public NodePricer(PriceTable table) {
        this.table = table;
    }

    public NodePrice price(Billable billable) {
        if (billable.kind() == Billable.Kind.LOCAL) {
            return NodePrice.FREE;
        }
        return price(billable.region(), billable.machineType(), billable.acceleratorType(),
                billable.acceleratorCount());
    }

    /** The Vertex AI price per hour of one node of this shape in this region. */
    public NodePrice price(String region, String machineType, String acceleratorType, int acceleratorCount) {
        if (region == null) {
            return NodePrice.unknown("region unknown");
        }
        if (!table.regions().containsKey(region)) {
            return NodePrice.unknown("no prices for region " + region);
        }
        if (machineType == null) {
            return NodePrice.unknown("machine type unknown");
        }
        Optional<Price> machine = table.machine(region, machineType);
        if (machine.isEmpty()) {
            return NodePrice.unknown("no price for machine type " + machineType + " in " + region);
        }
        BigDecimal node = machine.get().vertexPerHour(table.vertexMarkup());
        if (acceleratorType != null && acceleratorCount > 0) {
            Optional<Price> accelerator = table.accelerator(region, acceleratorType);
            if (accelerator.isEmpty()) {
                return NodePrice.unknown("no price for accelerator " + Accelerators.normalize(acceleratorType)
                        + " in " + region);
            }
            node = node.add(accelerator.get().vertexPerHour(table.vertexMarkup()).multiply(BigDecimal.valueOf(acceleratorCount)));
        }
        return NodePrice.known(node);
    }
}
