package dev.mldev.cost.catalog;

import com.google.cloud.billing.v1.PricingExpression;
import com.google.cloud.billing.v1.Sku;
import com.google.type.Money;
import dev.mldev.cost.PriceTable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Cloud Billing Catalog SKUs into a {@link PriceTable}. From Compute Engine: the on-demand core and RAM SKUs
 * of the N1, G2, A2 and A3 families ("G2 Instance Core running in Americas", per hour and per GiB hour) and the
 * on-demand GPU SKUs ("Nvidia L4 GPU running in Americas"), each for the regions listed in its service_regions.
 * Spot, preemptible and commitment SKUs do not match. From Vertex AI: prediction GPU SKUs, whose ratio to the
 * Compute Engine price of the same GPU in the same region gives the Vertex AI markup; without any, the markup
 * of the previous table is kept.
 */
public final class SkuPrices {
    private static final Pattern MACHINE_SKU =
            Pattern.compile("^(N1|G2|A2|A3)(?: Predefined)? Instance (Core|Ram) running in .*");
    private static final Pattern GPU_SKU = Pattern.compile("^Nvidia (.+?) GPU running in .*");
    private static final Pattern VERTEX_GPU_SKU = Pattern.compile("(?i).*prediction.*?Nvidia (.+?) GPU running in .*");
    private static final String ON_DEMAND = "OnDemand";

    /** Catalog GPU names (as in SKU descriptions) to Vertex AI accelerator names. */
    private static final Map<String, String> GPUS = Map.of(
            "Tesla T4", "NVIDIA_TESLA_T4",
            "Tesla V100", "NVIDIA_TESLA_V100",
            "Tesla P100", "NVIDIA_TESLA_P100",
            "Tesla P4", "NVIDIA_TESLA_P4",
            "L4", "NVIDIA_L4",
            "Tesla A100", "NVIDIA_TESLA_A100",
            "A100 80GB", "NVIDIA_A100_80GB",
            "H100 80GB", "NVIDIA_H100_80GB");

    private final Map<String, MachineShapes.Shape> shapes;

    public SkuPrices(Map<String, MachineShapes.Shape> shapes) {
        this.shapes = shapes;
    }

    /**
     * @param computeSkus  SKUs of the Compute Engine service
     * @param vertexSkus   SKUs of the Vertex AI service
     * @param previous     the table in force, for the markup and assumptions when the catalog has no better
     * @param today        the date the prices are taken
     * @param origin       where the table will be written
     */
    public PriceTable table(List<Sku> computeSkus, List<Sku> vertexSkus, PriceTable previous, LocalDate today,
                            String origin) {
        // region -> "G2 Core" / "G2 Ram" -> price
        Map<String, Map<String, BigDecimal>> rates = new TreeMap<>();
        Map<String, Map<String, BigDecimal>> gpus = new TreeMap<>();
        for (Sku sku : computeSkus) {
            Optional<BigDecimal> price = hourlyPrice(sku);
            if (price.isEmpty()) {
                continue;
            }
            Matcher machine = MACHINE_SKU.matcher(sku.getDescription());
            Optional<String> gpu = gpu(GPU_SKU, sku);
            for (String region : sku.getServiceRegionsList()) {
                if (machine.matches()) {
                    rates.computeIfAbsent(region, r -> new HashMap<>())
                            .put(machine.group(1) + " " + machine.group(2), price.get());
                } else {
                    gpu.ifPresent(g -> gpus.computeIfAbsent(region, r -> new HashMap<>()).put(g, price.get()));
                }
            }
        }
        Map<String, PriceTable.RegionPrices> regions = new TreeMap<>();
        for (String region : union(rates.keySet(), gpus.keySet())) {
            Map<String, BigDecimal> machines = machinePrices(rates.getOrDefault(region, Map.of()));
            Map<String, BigDecimal> accelerators = gpus.getOrDefault(region, Map.of());
            if (!machines.isEmpty() || !accelerators.isEmpty()) {
                regions.put(region, new PriceTable.RegionPrices(machines, accelerators));
            }
        }
        Optional<BigDecimal> markup = markup(vertexSkus, gpus);
        List<String> assumptions = new ArrayList<>(previous.assumptions());
        String source = "Cloud Billing Catalog API, Compute Engine on-demand SKUs (vCPU, RAM, GPU), fetched " + today
                + "; Vertex AI markup " + markup.map(m -> "measured from Vertex AI prediction GPU SKUs")
                .orElse("kept from the previous table (" + previous.origin() + "): no Vertex AI prediction GPU SKUs");
        return new PriceTable(today, source, origin, markup.orElse(previous.vertexMarkup()), assumptions, regions);
    }

    private Map<String, BigDecimal> machinePrices(Map<String, BigDecimal> rates) {
        Map<String, BigDecimal> machines = new TreeMap<>();
        shapes.forEach((type, shape) -> {
            BigDecimal core = rates.get(shape.family() + " Core");
            BigDecimal ram = rates.get(shape.family() + " Ram");
            if (core != null && ram != null) {
                machines.put(type, core.multiply(BigDecimal.valueOf(shape.vcpus()))
                        .add(ram.multiply(shape.memoryGb())).setScale(6, RoundingMode.HALF_UP).stripTrailingZeros());
            }
        });
        return machines;
    }

    /** The median ratio of Vertex AI prediction GPU prices to Compute Engine's, region by region. */
    private Optional<BigDecimal> markup(List<Sku> vertexSkus, Map<String, Map<String, BigDecimal>> gpus) {
        List<BigDecimal> ratios = new ArrayList<>();
        for (Sku sku : vertexSkus) {
            Optional<BigDecimal> price = hourlyPrice(sku);
            Optional<String> gpu = gpu(VERTEX_GPU_SKU, sku);
            if (price.isEmpty() || gpu.isEmpty()) {
                continue;
            }
            for (String region : sku.getServiceRegionsList()) {
                BigDecimal compute = gpus.getOrDefault(region, Map.of()).get(gpu.get());
                if (compute != null && compute.signum() > 0) {
                    ratios.add(price.get().divide(compute, 4, RoundingMode.HALF_UP));
                }
            }
        }
        if (ratios.isEmpty()) {
            return Optional.empty();
        }
        ratios.sort(null);
        return Optional.of(ratios.get(ratios.size() / 2).stripTrailingZeros());
    }

    private static Optional<String> gpu(Pattern pattern, Sku sku) {
        Matcher m = pattern.matcher(sku.getDescription());
        return m.matches() ? Optional.ofNullable(GPUS.get(m.group(1))) : Optional.empty();
    }

    /** The on-demand price per hour (per GiB hour for RAM) of the SKU's current pricing, if it has one. */
    static Optional<BigDecimal> hourlyPrice(Sku sku) {
        if (!ON_DEMAND.equals(sku.getCategory().getUsageType()) || sku.getPricingInfoCount() == 0) {
            return Optional.empty();
        }
        PricingExpression expression = sku.getPricingInfo(0).getPricingExpression();
        String unit = expression.getUsageUnit();
        if (!"h".equals(unit) && !"GiBy.h".equals(unit)) {
            return Optional.empty();
        }
        // tiers start at 0 for these SKUs; the last tier is the steady price
        return expression.getTieredRatesList().stream().reduce((first, second) -> second)
                .map(PricingExpression.TierRate::getUnitPrice)
                .filter(money -> money.getCurrencyCode().isEmpty() || "USD".equals(money.getCurrencyCode()))
                .map(SkuPrices::usd).filter(p -> p.signum() > 0);
    }

    static BigDecimal usd(Money money) {
        return BigDecimal.valueOf(money.getUnits()).add(BigDecimal.valueOf(money.getNanos(), 9)).stripTrailingZeros();
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
