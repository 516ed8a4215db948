package dev.mldev.cost.vertex;

import com.google.monitoring.v3.Point;
import com.google.monitoring.v3.TimeSeries;
import com.google.monitoring.v3.TypedValue;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Vertex AI's Cloud Monitoring series into {@link EndpointFacts} per deployed model: the newest
 * {@code prediction/online/replicas} point, and the end of the newest {@code prediction/online/prediction_count}
 * interval with a prediction in it. Series carry the resource label {@code endpoint_id} and the metric label
 * {@code deployed_model_id}. The replicas series stops when a model scales to zero, so its last point (say, 1
 * replica) stays the newest: a newest point older than {@link #REPLICAS_CURRENT} says nothing about now, and the
 * count is left unknown (the Vertex AI API's own count is used instead).
 */
public final class EndpointMetrics {
    public static final String REPLICAS = "aiplatform.googleapis.com/prediction/online/replicas";
    public static final String PREDICTIONS = "aiplatform.googleapis.com/prediction/online/prediction_count";
    /** The replicas metric is sampled every 60 s and can take 180 s to show: a point older than this is stale. */
    static final Duration REPLICAS_CURRENT = Duration.ofMinutes(5);

    private final Map<String, Integer> replicas = new HashMap<>();
    private final Map<String, Instant> lastPrediction = new HashMap<>();

    /** @param now when the series were read */
    public EndpointMetrics(List<TimeSeries> replicaSeries, List<TimeSeries> predictionSeries, Instant now) {
        Instant current = now.minus(REPLICAS_CURRENT);
        for (TimeSeries series : replicaSeries) {
            newest(series)
                    .filter(point -> instant(point.getInterval().getEndTime()).isAfter(current))
                    .ifPresent(point -> replicas.merge(key(series), (int) number(point.getValue()), Integer::sum));
        }
        for (TimeSeries series : predictionSeries) {
            series.getPointsList().stream()
                    .filter(p -> number(p.getValue()) > 0)
                    .map(p -> instant(p.getInterval().getEndTime()))
                    .max(Instant::compareTo)
                    .ifPresent(end -> lastPrediction.merge(key(series), end, (a, b) -> a.isAfter(b) ? a : b));
        }
    }

    /** What the series say of one deployed model (replica series may be per endpoint only). */
    public EndpointFacts facts(String endpointId, String deployedModelId) {
        Integer count = replicas.getOrDefault(endpointId + "/" + deployedModelId, replicas.get(endpointId + "/"));
        Instant last =
                lastPrediction.getOrDefault(endpointId + "/" + deployedModelId, lastPrediction.get(endpointId + "/"));
        return new EndpointFacts(count, last);
    }

    private static String key(TimeSeries series) {
        return series.getResource().getLabelsOrDefault("endpoint_id", "") + "/"
                + series.getMetric().getLabelsOrDefault("deployed_model_id", "");
    }

    private static java.util.Optional<Point> newest(TimeSeries series) {
        return series.getPointsList().stream()
                .max((a, b) -> instant(a.getInterval().getEndTime())
                        .compareTo(instant(b.getInterval().getEndTime())));
    }

    private static double number(TypedValue value) {
        return switch (value.getValueCase()) {
            case INT64_VALUE -> value.getInt64Value();
            case DOUBLE_VALUE -> value.getDoubleValue();
            default -> 0;
        };
    }

    private static Instant instant(com.google.protobuf.Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
