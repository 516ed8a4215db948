package dev.mldev.fake;

import com.google.monitoring.v3.ListTimeSeriesRequest;
import com.google.monitoring.v3.ListTimeSeriesResponse;
import com.google.monitoring.v3.TimeSeries;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cloud Monitoring's MetricService (v3) ListTimeSeries: series held in memory, selected by the filter's
 * {@code metric.type} and {@code resource.type}, their points cut to the request's interval. Aggregation is
 * not applied: the series are returned as stored (tests store them aligned).
 */
public final class FakeMonitoring {
    private static final Pattern TERM = Pattern.compile("(metric\\.type|resource\\.type)\\s*=\\s*\"([^\"]+)\"");
    private final List<TimeSeries> series = new ArrayList<>();

    public synchronized void add(TimeSeries timeSeries) {
        series.add(timeSeries);
    }

    GrpcFakeServer.Service metricService() {
        return new GrpcFakeServer.Service("google.monitoring.v3.MetricService")
                .unary(
                        "ListTimeSeries",
                        ListTimeSeriesRequest.getDefaultInstance(),
                        ListTimeSeriesResponse.getDefaultInstance(),
                        this::listTimeSeries);
    }

    private synchronized ListTimeSeriesResponse listTimeSeries(ListTimeSeriesRequest request) {
        String metric = null;
        String resource = null;
        Matcher m = TERM.matcher(request.getFilter());
        while (m.find()) {
            if (m.group(1).equals("metric.type")) {
                metric = m.group(2);
            } else {
                resource = m.group(2);
            }
        }
        if (metric == null) {
            throw io.grpc.Status.INVALID_ARGUMENT
                    .withDescription("filter must name a metric.type")
                    .asRuntimeException();
        }
        long from = request.getInterval().getStartTime().getSeconds();
        long to = request.getInterval().getEndTime().getSeconds();
        ListTimeSeriesResponse.Builder response = ListTimeSeriesResponse.newBuilder();
        for (TimeSeries s : series) {
            if (!s.getMetric().getType().equals(metric)
                    || (resource != null && !s.getResource().getType().equals(resource))) {
                continue;
            }
            TimeSeries.Builder cut = s.toBuilder().clearPoints();
            s.getPointsList().stream()
                    .filter(p -> p.getInterval().getEndTime().getSeconds() > from
                            && p.getInterval().getEndTime().getSeconds() <= to)
                    .forEach(cut::addPoints);
            if (cut.getPointsCount() > 0) {
                response.addTimeSeries(cut);
            }
        }
        return response.build();
    }
}
