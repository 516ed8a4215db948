package dev.mldev.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.DoubleSupplier;

/** The server's Prometheus metrics, in a registry of its own (so tests can run several servers). */
final class ServeMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder()
            .name("mldev_requests_total")
            .help("HTTP requests by route and status")
            .labelNames("route", "status")
            .register(registry);
    private final Histogram latency = Histogram.builder()
            .name("mldev_request_duration_seconds")
            .help("Predict request latency")
            .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .register(registry);
    private final Histogram batchSize = Histogram.builder()
            .name("mldev_batch_size")
            .help("Images per model run")
            .classicUpperBounds(1, 2, 4, 8, 16, 32, 64)
            .register(registry);
    private final Counter loads = Counter.builder()
            .name("mldev_model_loads_total")
            .help("Model loads (the first request after zero loads it)")
            .register(registry);
    private final Gauge loadSeconds = Gauge.builder()
            .name("mldev_model_load_seconds")
            .help("How long the last model load took")
            .register(registry);

    ServeMetrics(DoubleSupplier modelLoaded, DoubleSupplier secondsSinceLastRequest, DoubleSupplier inFlight) {
        GaugeWithCallback.builder()
                .name("mldev_requests_in_flight")
                .help("Predict requests being handled now")
                .callback(cb -> cb.call(inFlight.getAsDouble()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("mldev_model_loaded")
                .help("1 when the model is in memory, 0 at zero")
                .callback(cb -> cb.call(modelLoaded.getAsDouble()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("mldev_seconds_since_last_request")
                .help("Idle time so far")
                .callback(cb -> cb.call(secondsSinceLastRequest.getAsDouble()))
                .register(registry);
    }

    void request(String route, int status) {
        requests.labelValues(route, Integer.toString(status)).inc();
    }

    void latency(double seconds) {
        latency.observe(seconds);
    }

    void batch(int images) {
        batchSize.observe(images);
    }

    void modelLoaded(double seconds) {
        loads.inc();
        loadSeconds.set(seconds);
    }

    String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
