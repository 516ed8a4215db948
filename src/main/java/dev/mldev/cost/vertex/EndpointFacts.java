package dev.mldev.cost.vertex;

import java.time.Instant;

/**
 * What Cloud Monitoring knows of a deployed model: replicas now
 * ({@code aiplatform.googleapis.com/prediction/online/replicas}) and the end of the last interval with a
 * prediction ({@code .../prediction/online/prediction_count}). Either may be null when there is no data.
 */
public record EndpointFacts(Integer replicas, Instant lastPrediction) {
    public static final EndpointFacts NONE = new EndpointFacts(null, null);
}
