package dev.mldev.deploy.vertex;

import dev.mldev.cost.Forecast;
import dev.mldev.cost.NodePrice;
import dev.mldev.cost.NodePricer;
import dev.mldev.cost.PriceTable;
import java.math.BigDecimal;
import java.time.Duration;

/** The forecast of a Vertex AI {@code deploy --dry-run}: what the planned deployment would cost, from the price table. */
public final class VertexForecast {
    /** What mldev assumes one pipeline run bills: provisioning the node, pulling the image, predicting. */
    public static final Duration PIPELINE_RUN_TIME = Duration.ofMinutes(10);
    /** Vertex AI Pipelines' fee per pipeline run, on top of the compute it uses (Vertex AI pricing, "Pipelines"). */
    public static final BigDecimal PIPELINE_RUN_FEE = new BigDecimal("0.03");

    private VertexForecast() {}

    /** A Vertex AI endpoint: idle cost from min replicas, a wake from the scale-to-zero periods. */
    public static Forecast endpoint(PriceTable prices, VertexSpec spec, int requestsPerDay) {
        return Forecast.endpoint(
                node(prices, spec), spec.minReplicas(), 1, spec.minScaleup(), spec.idleTimeout(), requestsPerDay);
    }

    /** A vertex-pipeline deployment: nothing between requests, one run of {@link #PIPELINE_RUN_TIME} and its fee each. */
    public static Forecast pipeline(PriceTable prices, VertexSpec spec, int requestsPerDay) {
        return Forecast.perRun(node(prices, spec), PIPELINE_RUN_TIME, PIPELINE_RUN_FEE, requestsPerDay);
    }

    private static NodePrice node(PriceTable prices, VertexSpec spec) {
        return new NodePricer(prices)
                .price(
                        spec.region(),
                        spec.machineType(),
                        spec.gpu().map(g -> g.type().name()).orElse(null),
                        spec.gpuCount());
    }
}
