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
        if (billable.kind() == Billable.Kind.SERVICE) {
            return cloudRun(
                    billable.region(), billable.instance(), billable.acceleratorType(), billable.acceleratorCount());
        }
        return price(
                billable.region(), billable.machineType(), billable.acceleratorType(), billable.acceleratorCount());
    }

    /**
     * The price per hour of one Cloud Run instance (instance-based billing, CPU always allocated): vCPUs x the CPU
     * row, GiB x the memory row, GPUs x the GPU's row ({@code gpu} as Cloud Run names it, e.g. "nvidia-l4").
     */
    public NodePrice cloudRun(String region, Billable.ServiceInstance instance, String gpu, int gpuCount) {
        if (region == null) {
            return NodePrice.unknown("region unknown");
        }
        if (instance == null) {
            return NodePrice.unknown("instance size unknown");
        }
        BigDecimal total = BigDecimal.ZERO;
        java.util.Map<String, BigDecimal> items = new java.util.LinkedHashMap<>();
        items.put(PriceTable.CLOUD_RUN_CPU, instance.cpus());
        items.put(PriceTable.CLOUD_RUN_MEMORY, instance.memoryGib());
        if (gpu != null && gpuCount > 0) {
            items.put(gpu, BigDecimal.valueOf(gpuCount));
        }
        for (var item : items.entrySet()) {
            Optional<Price> row = table.cloudRun(region, item.getKey());
            if (row.isEmpty()) {
                return NodePrice.unknown("no Cloud Run price for " + item.getKey() + " in " + region);
            }
            total = total.add(row.get().perHour().multiply(item.getValue()));
        }
        return NodePrice.known(total);
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
                return NodePrice.unknown(
                        "no price for accelerator " + Accelerators.normalize(acceleratorType) + " in " + region);
            }
            node = node.add(accelerator
                    .get()
                    .vertexPerHour(table.vertexMarkup())
                    .multiply(BigDecimal.valueOf(acceleratorCount)));
        }
        return NodePrice.known(node);
    }
}
