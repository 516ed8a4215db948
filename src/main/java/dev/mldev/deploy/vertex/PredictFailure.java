package dev.mldev.deploy.vertex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mldev.cloud.CloudErrors;
import dev.mldev.deploy.PredictClient;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/**
 * What a failed predict call on a dedicated endpoint means. A 429 is either the endpoint waking from zero
 * ("not yet ready ... scale-up from zero") or a quota (RESOURCE_EXHAUSTED about quota, which waiting does not
 * fix); during a GPU cold start of several minutes the endpoint's front also answers 502, 503 and 504.
 */
record PredictFailure(Kind kind, int status, String message, String quota) {
    enum Kind {
        WAKING,
        COLD_START,
        QUOTA,
        TOO_LARGE,
        OTHER
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    static PredictFailure of(PredictClient.HttpError e) {
        String message = String.valueOf(e.getMessage());
        String text = message.toLowerCase(Locale.ROOT);
        int status = e.status();
        Optional<String> quota = quota(e.body(), message);
        if (quota.isPresent() || (status == 429 && text.contains("quota"))) {
            return new PredictFailure(Kind.QUOTA, status, message, quota.orElse(null));
        }
        if (status == 413 || (status == 400 && text.contains("payload size exceeds"))) {
            return new PredictFailure(Kind.TOO_LARGE, status, message, null);
        }
        if (status == 429 || text.contains("not yet ready") || text.contains("scale-up from zero")) {
            return new PredictFailure(Kind.WAKING, status, message, null);
        }
        if (status == 502 || status == 503 || status == 504) {
            return new PredictFailure(Kind.COLD_START, status, message, null);
        }
        return new PredictFailure(Kind.OTHER, status, message, null);
    }

    /** Waiting fixes it: the endpoint is scaling up. */
    boolean retriable() {
        return kind == Kind.WAKING || kind == Kind.COLD_START;
    }

    /**
     * The quota named by Google's error details (ErrorInfo metadata quota_metric / quota_limit, or a QuotaFailure
     * violation's subject), else by the "Quota exceeded for ..." message.
     */
    private static Optional<String> quota(String body, String message) {
        try {
            JsonNode details = body == null || body.isBlank()
                    ? null
                    : JSON.readTree(body).path("error").path("details");
            if (details != null) {
                for (JsonNode detail : details) {
                    String named = detail.path("metadata")
                            .path("quota_metric")
                            .asText(detail.path("metadata").path("quota_limit").asText(""));
                    if (named.isEmpty() && detail.has("violations")) {
                        named = detail.path("violations")
                                .path(0)
                                .path("subject")
                                .asText("");
                    }
                    if (!named.isEmpty()) {
                        return Optional.of(named);
                    }
                }
            }
        } catch (IOException e) {
            // not Google's JSON error: the message may still name the quota
        }
        return CloudErrors.quotaNamedIn(message);
    }
}
