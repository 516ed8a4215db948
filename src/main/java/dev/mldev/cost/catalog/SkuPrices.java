package dev.mldev.cost.catalog;

import com.google.cloud.billing.v1.PricingExpression;
import com.google.cloud.billing.v1.Sku;
import com.google.type.Money;
import dev.mldev.cost.Price;
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
 * Turns Cloud Billing Catalog SKUs into a {@link PriceTable}, each row naming the SKUs it came from. From Compute
 * Engine: the on-demand core and RAM SKUs of the N1, G2, A2 and A3 families ("G2 Instance Core running in Americas",
 * per hour and per GiB hour) and the on-demand GPU SKUs ("Nvidia L4 GPU running in Americas"), each for the regions
 * listed in its service_regions. Spot, preemptible and commitment SKUs do not match. From Vertex AI: the prediction
 * GPU SKUs, which become that GPU's row in that region as Vertex AI's own price (no markup); a GPU without one keeps
 * its Compute Engine row, marked up. The markup (for machines and those GPUs) is the median ratio of the Vertex AI
 * GPU prices to Compute Engine's; without any, the previous table's markup is kept.
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

    /** A SKU's hourly price and how a price row names it. */
    private record Rate(BigDecimal price, String sku) {}

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
    public PriceTable table(
            List<Sku> computeSkus, List<Sku> vertexSkus, PriceTable previous, LocalDate today, String origin) {
        // region -> "G2 Core" / "G2 Ram" -> rate
        Map<String, Map<String, Rate>> rates = new TreeMap<>();
        Map<String, Map<String, Rate>> gpus = byRegion(computeSkus, GPU_SKU);
        for (Sku sku : computeSkus) {
            Optional<BigDecimal> price = hourlyPrice(sku);
            Matcher machine = MACHINE_SKU.matcher(sku.getDescription());
            if (price.isPresent() && machine.matches()) {
                for (String region : sku.getServiceRegionsList()) {
                    rates.computeIfAbsent(region, r -> new HashMap<>())
                            .put(machine.group(1) + " " + machine.group(2), new Rate(price.get(), name(sku)));
                }
            }
        }
        Map<String, Map<String, Rate>> vertexGpus = byRegion(vertexSkus, VERTEX_GPU_SKU);
        Optional<BigDecimal> markup = markup(vertexGpus, gpus);
        String fetched = "Cloud Billing Catalog " + today + ": ";
        Map<String, PriceTable.RegionPrices> regions = new TreeMap<>();
        for (String region : union(rates.keySet(), gpus.keySet())) {
            Map<String, Price> machines = machinePrices(rates.getOrDefault(region, Map.of()), fetched);
            Map<String, Price> accelerators = new TreeMap<>();
            gpus.getOrDefault(region, Map.of())
                    .forEach((gpu, rate) -> accelerators.put(
                            gpu,
                            new Price(
                                    rate.price(),
                                    Price.Basis.COMPUTE_ENGINE,
                                    fetched + "Compute Engine SKU " + rate.sku())));
            vertexGpus
                    .getOrDefault(region, Map.of())
                    .forEach((gpu, rate) -> accelerators.put(
                            gpu,
                            new Price(rate.price(), Price.Basis.VERTEX_AI, fetched + "Vertex AI SKU " + rate.sku())));
            if (!machines.isEmpty() || !accelerators.isEmpty()) {
                regions.put(region, new PriceTable.RegionPrices(machines, accelerators));
            }
        }
        List<String> assumptions = new ArrayList<>(previous.assumptions());
        String source =
                "Cloud Billing Catalog API, Compute Engine on-demand SKUs (vCPU, RAM, GPU) and Vertex AI prediction"
                        + " GPU SKUs, fetched " + today + "; Vertex AI markup for the other rows "
                        + markup.map(m -> "measured from" + " Vertex AI prediction GPU SKUs")
                                .orElse("kept from the previous table (" + previous.origin()
                                        + "): no Vertex AI prediction GPU SKUs");
        return new PriceTable(today, source, origin, markup.orElse(previous.vertexMarkup()), assumptions, regions);
    }

    /** The on-demand GPU SKUs matching {@code pattern}: region -> Vertex AI accelerator name -> rate. */
    private static Map<String, Map<String, Rate>> byRegion(List<Sku> skus, Pattern pattern) {
        Map<String, Map<String, Rate>> gpus = new TreeMap<>();
        for (Sku sku : skus) {
            Optional<BigDecimal> price = hourlyPrice(sku);
            Optional<String> gpu = gpu(pattern, sku);
            if (price.isPresent() && gpu.isPresent()) {
                for (String region : sku.getServiceRegionsList()) {
                    gpus.computeIfAbsent(region, r -> new HashMap<>()).put(gpu.get(), new Rate(price.get(), name(sku)));
                }
            }
        }
        return gpus;
    }

    private Map<String, Price> machinePrices(Map<String, Rate> rates, String fetched) {
        Map<String, Price> machines = new TreeMap<>();
        shapes.forEach((type, shape) -> {
            Rate core = rates.get(shape.family() + " Core");
            Rate ram = rates.get(shape.family() + " Ram");
            if (core != null && ram != null) {
                BigDecimal price = core.price()
                        .multiply(BigDecimal.valueOf(shape.vcpus()))
                        .add(ram.price().multiply(shape.memoryGb()))
                        .setScale(6, RoundingMode.HALF_UP)
                        .stripTrailingZeros();
                machines.put(
                        type,
                        new Price(
                                price,
                                Price.Basis.COMPUTE_ENGINE,
                                fetched + "Compute Engine SKUs " + core.sku() + " x " + shape.vcpus() + " vCPU + "
                                        + ram.sku() + " x " + shape.memoryGb().toPlainString() + " GiB"));
            }
        });
        return machines;
    }

    /** The median ratio of Vertex AI prediction GPU prices to Compute Engine's, region by region. */
    private static Optional<BigDecimal> markup(
            Map<String, Map<String, Rate>> vertexGpus, Map<String, Map<String, Rate>> gpus) {
        List<BigDecimal> ratios = new ArrayList<>();
        vertexGpus.forEach((region, byGpu) -> byGpu.forEach((gpu, rate) -> {
            Rate compute = gpus.getOrDefault(region, Map.of()).get(gpu);
            if (compute != null && compute.price().signum() > 0) {
                ratios.add(rate.price().divide(compute.price(), 4, RoundingMode.HALF_UP));
            }
        }));
        if (ratios.isEmpty()) {
            return Optional.empty();
        }
        ratios.sort(null);
        return Optional.of(ratios.get(ratios.size() / 2).stripTrailingZeros());
    }

    private static String name(Sku sku) {
        return "'" + sku.getDescription() + "' (" + sku.getSkuId() + ")";
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
        return expression.getTieredRatesList().stream()
                .reduce((first, second) -> second)
                .map(PricingExpression.TierRate::getUnitPrice)
                .filter(money -> money.getCurrencyCode().isEmpty() || "USD".equals(money.getCurrencyCode()))
                .map(SkuPrices::usd)
                .filter(p -> p.signum() > 0);
    }

    static BigDecimal usd(Money money) {
        return BigDecimal.valueOf(money.getUnits())
                .add(BigDecimal.valueOf(money.getNanos(), 9))
                .stripTrailingZeros();
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
