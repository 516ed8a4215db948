package dev.mldev.fake;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Faults to inject into the fake's calls: the call fails (once or always) with any status, or, for a
 * long-running call, the call is accepted and its operation ends in the error. Calls are named by the end of
 * their gRPC method name ("EndpointService/DeployModel") or, for the HTTP services, "storage/upload",
 * "storage/get", "predict".
 */
public final class Faults {
    public enum Where {
        CALL,
        OPERATION
    }

    private record Rule(String call, Where where, Status status, boolean always) {}

    private final List<Rule> rules = new ArrayList<>();

    public synchronized Faults failOnce(String call, Status status) {
        rules.add(new Rule(call, Where.CALL, status, false));
        return this;
    }

    public synchronized Faults failAlways(String call, Status status) {
        rules.add(new Rule(call, Where.CALL, status, true));
        return this;
    }

    /** The long-running call is accepted, then its operation finishes with this error (nothing is changed). */
    public synchronized Faults failOperationOnce(String call, Status status) {
        rules.add(new Rule(call, Where.OPERATION, status, false));
        return this;
    }

    public synchronized void clear() {
        rules.clear();
    }

    /** The fault for this call, if one applies; a one-off fault is used up. */
    public synchronized Optional<Status> take(String fullCallName, Where where) {
        for (Rule rule : rules) {
            if (rule.where == where && fullCallName.endsWith(rule.call)) {
                if (!rule.always) {
                    rules.remove(rule);
                }
                return Optional.of(rule.status);
            }
        }
        return Optional.empty();
    }

    public static Status status(Code code, String message) {
        return Status.newBuilder().setCode(code.getNumber()).setMessage(message).build();
    }

    /** What IAM answers when the caller lacks a permission. */
    public static Status permissionDenied(String permission, String resource) {
        return Status.newBuilder()
                .setCode(Code.PERMISSION_DENIED_VALUE)
                .setMessage(
                        "Permission '" + permission + "' denied on resource '" + resource + "' (or it may not exist).")
                .addDetails(Any.pack(ErrorInfo.newBuilder()
                        .setReason("IAM_PERMISSION_DENIED")
                        .setDomain("aiplatform.googleapis.com")
                        .putMetadata("permission", permission)
                        .putMetadata("resource", resource)
                        .build()))
                .build();
    }

    /**
     * What a Google API answers when a quota is used up: RESOURCE_EXHAUSTED (HTTP 429) naming the quota, with
     * ErrorInfo RATE_LIMIT_EXCEEDED (quota_metric, quota_limit) and a QuotaFailure violation.
     */
    public static Status quotaExceeded(String quotaMetric, String quotaLimit, String project) {
        return Status.newBuilder()
                .setCode(Code.RESOURCE_EXHAUSTED_VALUE)
                .setMessage("Quota exceeded for quota metric '" + quotaMetric + "' and limit '" + quotaLimit
                        + "' of service 'aiplatform.googleapis.com' for consumer 'project_number:" + project + "'.")
                .addDetails(Any.pack(ErrorInfo.newBuilder()
                        .setReason("RATE_LIMIT_EXCEEDED")
                        .setDomain("googleapis.com")
                        .putMetadata("service", "aiplatform.googleapis.com")
                        .putMetadata("consumer", "projects/" + project)
                        .putMetadata("quota_metric", quotaMetric)
                        .putMetadata("quota_limit", quotaLimit)
                        .build()))
                .addDetails(Any.pack(com.google.rpc.QuotaFailure.newBuilder()
                        .addViolations(com.google.rpc.QuotaFailure.Violation.newBuilder()
                                .setSubject(quotaMetric)
                                .setDescription(quotaLimit))
                        .build()))
                .build();
    }

    /** What a Google API answers when it is not enabled in the project. */
    public static Status serviceDisabled(String service, String project) {
        return Status.newBuilder()
                .setCode(Code.PERMISSION_DENIED_VALUE)
                .setMessage("Vertex AI API has not been used in project " + project + " before or it is disabled. "
                        + "Enable it by visiting https://console.developers.google.com/apis/api/" + service
                        + "/overview?project=" + project + " then retry.")
                .addDetails(Any.pack(ErrorInfo.newBuilder()
                        .setReason("SERVICE_DISABLED")
                        .setDomain("googleapis.com")
                        .putMetadata("service", service)
                        .putMetadata("consumer", "projects/" + project)
                        .build()))
                .build();
    }
}
