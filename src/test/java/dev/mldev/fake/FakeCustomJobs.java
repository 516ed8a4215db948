package dev.mldev.fake;

import com.google.cloud.aiplatform.v1beta1.CustomJob;
import com.google.cloud.aiplatform.v1beta1.ListCustomJobsRequest;
import com.google.cloud.aiplatform.v1beta1.ListCustomJobsResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Vertex AI's JobService (v1beta1) as far as listing custom jobs goes: jobs held in memory (tests put them in with
 * {@link #put}), listed by parent with Vertex's {@code state="..."} and label filters.
 */
public final class FakeCustomJobs {
    private final List<CustomJob> jobs = new ArrayList<>();

    public synchronized void put(CustomJob job) {
        jobs.add(job);
    }

    GrpcFakeServer.Service service() {
        return new GrpcFakeServer.Service(FakeVertex.V1BETA1 + "JobService")
                .unary(
                        "ListCustomJobs",
                        ListCustomJobsRequest.getDefaultInstance(),
                        ListCustomJobsResponse.getDefaultInstance(),
                        this::list);
    }

    private synchronized ListCustomJobsResponse list(ListCustomJobsRequest request) {
        return ListCustomJobsResponse.newBuilder()
                .addAllCustomJobs(jobs.stream()
                        .filter(j -> j.getName().startsWith(request.getParent() + "/"))
                        .filter(j -> FakeVertex.matches(
                                request.getFilter(),
                                j.getLabelsMap(),
                                j.getState().name()))
                        .toList())
                .build();
    }
}
