package dev.mldev.cost.vertex;

import com.google.api.gax.rpc.ApiException;
import com.google.cloud.aiplatform.v1beta1.BatchPredictionJob;
import com.google.cloud.aiplatform.v1beta1.CustomJob;
import com.google.cloud.aiplatform.v1beta1.Endpoint;
import com.google.cloud.aiplatform.v1beta1.EndpointServiceClient;
import com.google.cloud.aiplatform.v1beta1.EndpointServiceSettings;
import com.google.cloud.aiplatform.v1beta1.JobServiceClient;
import com.google.cloud.aiplatform.v1beta1.JobServiceSettings;
import com.google.cloud.aiplatform.v1beta1.ListBatchPredictionJobsRequest;
import com.google.cloud.aiplatform.v1beta1.ListCustomJobsRequest;
import com.google.cloud.aiplatform.v1beta1.ListEndpointsRequest;
import com.google.cloud.aiplatform.v1beta1.ListPipelineJobsRequest;
import com.google.cloud.aiplatform.v1beta1.PipelineJob;
import com.google.cloud.aiplatform.v1beta1.PipelineServiceClient;
import com.google.cloud.aiplatform.v1beta1.PipelineServiceSettings;
import com.google.cloud.monitoring.v3.MetricServiceClient;
import com.google.cloud.monitoring.v3.MetricServiceSettings;
import com.google.monitoring.v3.Aggregation;
import com.google.monitoring.v3.ListTimeSeriesRequest;
import com.google.monitoring.v3.TimeInterval;
import com.google.monitoring.v3.TimeSeries;
import com.google.protobuf.Timestamp;
import dev.mldev.MldevException;
import dev.mldev.cloud.Retry;
import dev.mldev.cost.Billable;
import dev.mldev.cost.Inventory;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;

/**
 * Everything that bills on Vertex AI in a project's regions, mldev's or not: every endpoint with its deployed
 * models' DedicatedResources, running pipeline jobs, custom jobs and batch prediction jobs (v1beta1 APIs), with replicas now
 * and the last prediction from Cloud Monitoring where it has them. Monitoring is best effort: when it refuses,
 * the inventory says so once and goes on without it.
 */
public final class VertexInventory implements Inventory {
    /** How far back to look for the last prediction. */
    static final Duration PREDICTION_LOOKBACK = Duration.ofDays(7);

    private static final Duration REPLICA_LOOKBACK = Duration.ofMinutes(15);

    private final VertexConnection connection;
    private final List<String> regions;
    private final Clock clock;
    private final Consumer<String> notice;
    private final Retry retry;

    /** @param notice where to say that a best-effort source (Cloud Monitoring) was not available */
    public VertexInventory(VertexConnection connection, List<String> regions, Clock clock, Consumer<String> notice) {
        this.connection = connection;
        this.regions = List.copyOf(regions);
        this.clock = clock;
        this.notice = notice;
        this.retry = Retry.standard(connection.project());
    }

    @Override
    public List<Billable> list() {
        EndpointMetrics metrics = metrics();
        List<Billable> billables = new ArrayList<>();
        for (String region : regions) {
            billables.addAll(region(region, metrics));
        }
        return billables;
    }

    private List<Billable> region(String region, EndpointMetrics metrics) {
        String parent = "projects/" + connection.project() + "/locations/" + region;
        List<Billable> billables = new ArrayList<>();
        try (EndpointServiceClient endpoints = EndpointServiceClient.create(endpointSettings(region));
                PipelineServiceClient pipelines = PipelineServiceClient.create(pipelineSettings(region));
                JobServiceClient jobs = JobServiceClient.create(jobSettings(region))) {
            List<Endpoint> endpointList = list(
                    "listing endpoints in " + parent,
                    () -> endpoints
                            .listEndpoints(ListEndpointsRequest.newBuilder()
                                    .setParent(parent)
                                    .build())
                            .iterateAll());
            List<PipelineJob> pipelineList = list(
                    "listing pipeline jobs in " + parent,
                    () -> pipelines
                            .listPipelineJobs(ListPipelineJobsRequest.newBuilder()
                                    .setParent(parent)
                                    .setFilter("state=\"PIPELINE_STATE_RUNNING\"")
                                    .build())
                            .iterateAll());
            List<CustomJob> customList = list(
                    "listing custom jobs in " + parent,
                    () -> jobs.listCustomJobs(ListCustomJobsRequest.newBuilder()
                                    .setParent(parent)
                                    .setFilter("state=\"JOB_STATE_RUNNING\"")
                                    .build())
                            .iterateAll());

            List<BatchPredictionJob> batchList = list(
                    "listing batch prediction jobs in " + parent,
                    () -> jobs.listBatchPredictionJobs(ListBatchPredictionJobsRequest.newBuilder()
                                    .setParent(parent)
                                    .setFilter("state=\"JOB_STATE_RUNNING\"")
                                    .build())
                            .iterateAll());
            batchList.forEach(job -> VertexBillables.batchJob(job, region).ifPresent(billables::add));

            for (Endpoint endpoint : endpointList) {
                billables.addAll(VertexBillables.endpoint(endpoint, region, metrics::facts));
            }
            Map<String, CustomJob> customJobs = new LinkedHashMap<>();
            customList.forEach(job -> customJobs.put(job.getName(), job));
            Set<String> startedByPipelines = new java.util.HashSet<>();
            for (PipelineJob pipeline : pipelineList) {
                VertexBillables.pipelineJob(pipeline, region, customJobs).ifPresent(b -> {
                    billables.add(b);
                    startedByPipelines.addAll(VertexBillables.mainJobs(pipeline));
                });
            }
            customJobs.values().stream()
                    .filter(job -> !startedByPipelines.contains(job.getName()))
                    .forEach(job -> billables.addAll(VertexBillables.customJob(job, region)));
        } catch (IOException e) {
            throw MldevException.remote(
                    "cannot create the Vertex AI clients for " + region + ": " + e.getMessage(), null, e);
        }
        return billables;
    }

    /** Replicas and last predictions of every endpoint in the project; empty when Monitoring refuses. */
    private EndpointMetrics metrics() {
        Instant now = clock.instant();
        try (MetricServiceClient monitoring = MetricServiceClient.create(MetricServiceSettings.newBuilder()
                .setCredentialsProvider(connection.credentials())
                .setTransportChannelProvider(connection.monitoringChannel())
                .setEndpoint(connection.monitoringEndpoint())
                .build())) {
            List<TimeSeries> replicas =
                    series(monitoring, EndpointMetrics.REPLICAS, now.minus(REPLICA_LOOKBACK), now, null);
            List<TimeSeries> predictions = series(
                    monitoring,
                    EndpointMetrics.PREDICTIONS,
                    now.minus(PREDICTION_LOOKBACK),
                    now,
                    Aggregation.newBuilder()
                            .setAlignmentPeriod(
                                    com.google.protobuf.Duration.newBuilder().setSeconds(300))
                            .setPerSeriesAligner(Aggregation.Aligner.ALIGN_SUM)
                            .build());
            return new EndpointMetrics(replicas, predictions, now);
        } catch (ApiException e) {
            notice.accept("Cloud Monitoring not available (" + e.getStatusCode().getCode() + "): replicas and"
                    + " last predictions come from Vertex AI only");
            return new EndpointMetrics(List.of(), List.of(), now);
        } catch (IOException e) {
            notice.accept("Cloud Monitoring not available (" + e.getMessage() + ")");
            return new EndpointMetrics(List.of(), List.of(), now);
        }
    }

    private List<TimeSeries> series(
            MetricServiceClient monitoring, String metric, Instant from, Instant to, Aggregation aggregation) {
        ListTimeSeriesRequest.Builder request = ListTimeSeriesRequest.newBuilder()
                .setName("projects/" + connection.project())
                .setFilter("metric.type=\"" + metric + "\" AND resource.type=\"aiplatform.googleapis.com/Endpoint\"")
                .setInterval(
                        TimeInterval.newBuilder().setStartTime(timestamp(from)).setEndTime(timestamp(to)))
                .setView(ListTimeSeriesRequest.TimeSeriesView.FULL);
        if (aggregation != null) {
            request.setAggregation(aggregation);
        }
        List<TimeSeries> all = new ArrayList<>();
        monitoring.listTimeSeries(request.build()).iterateAll().forEach(all::add);
        return all;
    }

    /** A listing, retried on transient errors and translated into one line on the others. */
    private <T> List<T> list(String doing, java.util.function.Supplier<Iterable<T>> call) {
        return retry.call(
                doing,
                () -> StreamSupport.stream(call.get().spliterator(), false).toList());
    }

    private EndpointServiceSettings endpointSettings(String region) throws IOException {
        return EndpointServiceSettings.newBuilder()
                .setCredentialsProvider(connection.credentials())
                .setTransportChannelProvider(connection.aiplatformChannel().apply(region))
                .setEndpoint(connection.aiplatformEndpoint().apply(region))
                .build();
    }

    private PipelineServiceSettings pipelineSettings(String region) throws IOException {
        return PipelineServiceSettings.newBuilder()
                .setCredentialsProvider(connection.credentials())
                .setTransportChannelProvider(connection.aiplatformChannel().apply(region))
                .setEndpoint(connection.aiplatformEndpoint().apply(region))
                .build();
    }

    private JobServiceSettings jobSettings(String region) throws IOException {
        return JobServiceSettings.newBuilder()
                .setCredentialsProvider(connection.credentials())
                .setTransportChannelProvider(connection.aiplatformChannel().apply(region))
                .setEndpoint(connection.aiplatformEndpoint().apply(region))
                .build();
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder()
                .setSeconds(instant.getEpochSecond())
                .setNanos(instant.getNano())
                .build();
    }
}
