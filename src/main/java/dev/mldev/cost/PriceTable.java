package dev.mldev.cost;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Hourly on-demand prices in USD per region: machine types (vCPU and memory only) and accelerators (per GPU),
 * each row with its own source and basis ({@link Price}), with the date they were taken, where from, and the
 * Vertex AI markup over Compute Engine for the rows that are Compute Engine prices.
 *
 * @param asOf         the date the prices were taken
 * @param source       where they came from, in words
 * @param origin       which file or resource this table was read from (shown by {@code mldev prices})
 * @param vertexMarkup factor applied to rows that are Compute Engine prices for Vertex AI nodes
 * @param assumptions  what the prices leave out or assume, in words
 * @param regions      region name to its prices
 */
public record PriceTable(
        LocalDate asOf,
        String source,
        String origin,
        BigDecimal vertexMarkup,
        List<String> assumptions,
        Map<String, RegionPrices> regions) {

    /**
     * The prices in one region. Keys: machine type names, Vertex AI accelerator names; Cloud Run's
     * {@link #CLOUD_RUN_CPU}, {@link #CLOUD_RUN_MEMORY} and GPU names as Cloud Run spells them ("nvidia-l4").
     */
    public record RegionPrices(
            Map<String, Price> machines, Map<String, Price> accelerators, Map<String, Price> cloudRun) {
        public RegionPrices {
            machines = Map.copyOf(machines);
            accelerators = Map.copyOf(accelerators);
            cloudRun = Map.copyOf(cloudRun);
        }

        public RegionPrices(Map<String, Price> machines, Map<String, Price> accelerators) {
            this(machines, accelerators, Map.of());
        }
    }

    /** Cloud Run rows: one vCPU for an hour, one GiB of memory for an hour (instance-based billing). */
    public static final String CLOUD_RUN_CPU = "cpu";

    public static final String CLOUD_RUN_MEMORY = "memory";

    public PriceTable {
        assumptions = List.copyOf(assumptions);
        regions = Map.copyOf(regions);
    }

    /** The price row of a machine type (without GPUs) in a region, if the table has it. */
    public Optional<Price> machine(String region, String machineType) {
        return Optional.ofNullable(regions.get(region)).map(r -> r.machines().get(machineType));
    }

    /** The price row of one accelerator in a region, if the table has it. */
    public Optional<Price> accelerator(String region, String acceleratorType) {
        return Optional.ofNullable(regions.get(region))
                .map(r -> r.accelerators().get(Accelerators.normalize(acceleratorType)));
    }

    /** A Cloud Run price row ({@link #CLOUD_RUN_CPU}, {@link #CLOUD_RUN_MEMORY} or a GPU) in a region, if the table has it. */
    public Optional<Price> cloudRun(String region, String item) {
        return Optional.ofNullable(regions.get(region)).map(r -> r.cloudRun().get(item));
    }

    public PriceTable withOrigin(String newOrigin) {
        return new PriceTable(asOf, source, newOrigin, vertexMarkup, assumptions, regions);
    }
}
