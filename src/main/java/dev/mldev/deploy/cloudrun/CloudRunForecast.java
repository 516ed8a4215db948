package dev.mldev.deploy.cloudrun;

import dev.mldev.cost.Billable;
import dev.mldev.cost.Forecast;
import dev.mldev.cost.NodePricer;
import dev.mldev.cost.PriceTable;
import dev.mldev.cost.cloudrun.CloudRunServices;
import java.time.Duration;

/** The forecast of a Cloud Run {@code deploy --dry-run}, and the instance price the --public confirmation states. */
public final class CloudRunForecast {
    /**
     * How long one wake bills: a GPU cold start (a few minutes: image pull, CUDA, model) and the idle time Cloud Run
     * may keep an instance before stopping it (up to 15 minutes), both billed under instance-based billing.
     */
    static final Duration AWAKE_WINDOW = Duration.ofMinutes(20);

    private CloudRunForecast() {}

    public static Forecast of(PriceTable prices, CloudRunSpec spec, int requestsPerDay) {
        return Forecast.service(instancePrice(prices, spec), spec.maxInstances(), AWAKE_WINDOW, requestsPerDay);
    }

    /** One instance per hour: 4 vCPU, 16 GiB and one GPU at Cloud Run's prices in the region (unknown stays unknown). */
    public static dev.mldev.cost.NodePrice instancePrice(PriceTable prices, CloudRunSpec spec) {
        String gpu = spec.zonalRedundancy() ? spec.gpu() + "-zonal-redundancy" : spec.gpu();
        return new NodePricer(prices)
                .cloudRun(
                        spec.region(),
                        new Billable.ServiceInstance(
                                CloudRunServices.cpus(CloudRunSpec.CPU),
                                CloudRunServices.gibibytes(CloudRunSpec.MEMORY)),
                        gpu,
                        1);
    }
}
