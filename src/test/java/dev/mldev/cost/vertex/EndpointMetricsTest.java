package dev.mldev.cost.vertex;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.Metric;
import com.google.api.MonitoredResource;
import com.google.monitoring.v3.Point;
import com.google.monitoring.v3.TimeInterval;
import com.google.monitoring.v3.TimeSeries;
import com.google.monitoring.v3.TypedValue;
import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointMetricsTest {
    static TimeSeries series(String metric, String endpointId, String deployedModelId, Point... points) {
        return TimeSeries.newBuilder()
                .setMetric(Metric.newBuilder().setType(metric).putLabels("deployed_model_id", deployedModelId))
                .setResource(MonitoredResource.newBuilder()
                        .setType("aiplatform.googleapis.com/Endpoint")
                        .putLabels("endpoint_id", endpointId)
                        .putLabels("location", "us-central1"))
                .addAllPoints(List.of(points))
                .build();
    }

    static Point point(String end, long value) {
        Instant e = Instant.parse(end);
        return Point.newBuilder()
                .setInterval(TimeInterval.newBuilder()
                        .setStartTime(Timestamp.newBuilder().setSeconds(e.getEpochSecond() - 60))
                        .setEndTime(Timestamp.newBuilder().setSeconds(e.getEpochSecond())))
                .setValue(TypedValue.newBuilder().setInt64Value(value))
                .build();
    }

    @Test
    void newestReplicaCountAndLastIntervalWithPredictions() {
        EndpointMetrics metrics = new EndpointMetrics(
                List.of(series(
                        EndpointMetrics.REPLICAS,
                        "111",
                        "9",
                        point("2026-11-28T11:58:00Z", 0),
                        point("2026-11-28T11:59:00Z", 2))),
                List.of(series(
                        EndpointMetrics.PREDICTIONS,
                        "111",
                        "9",
                        point("2026-11-28T09:00:00Z", 5),
                        point("2026-11-28T10:30:00Z", 1),
                        point("2026-11-28T11:00:00Z", 0))),
                Instant.parse("2026-11-28T12:00:00Z"));
        EndpointFacts facts = metrics.facts("111", "9");
        assertThat(facts.replicas()).isEqualTo(2);
        assertThat(facts.lastPrediction()).isEqualTo(Instant.parse("2026-11-28T10:30:00Z"));
        assertThat(metrics.facts("222", "1")).isEqualTo(EndpointFacts.NONE);
    }

    @Test
    void aReplicasSeriesThatStoppedReportingSaysNothingAboutNow() {
        // scaled to zero at about 11:45: the series' last point (1 replica at 11:44) is its newest, but stale at 12:00
        List<TimeSeries> replicas = List.of(series(
                EndpointMetrics.REPLICAS,
                "111",
                "9",
                point("2026-11-28T11:43:00Z", 1),
                point("2026-11-28T11:44:00Z", 1)));

        EndpointMetrics atNoon = new EndpointMetrics(replicas, List.of(), Instant.parse("2026-11-28T12:00:00Z"));
        EndpointMetrics justAfter = new EndpointMetrics(replicas, List.of(), Instant.parse("2026-11-28T11:47:00Z"));

        assertThat(atNoon.facts("111", "9").replicas()).as("unknown, not warm").isNull();
        assertThat(justAfter.facts("111", "9").replicas()).isEqualTo(1);
    }
}
