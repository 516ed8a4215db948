package dev.mldev.cloud;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.BaseServiceException;
import com.google.rpc.ErrorInfo;
import dev.mldev.MldevException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Google Cloud errors into one line the user can act on (exit 4): a refused permission names the
 * permission and the role that grants it, a disabled API names the API and the command that enables it.
 * Messages come from the server; credentials never appear in them.
 */
public final class CloudErrors {
    private static final Pattern PERMISSION = Pattern.compile("[Pp]ermission '?([a-z]+(?:\\.[a-zA-Z]+){2,})'? denied"
            + "|does not have ([a-z]+(?:\\.[a-zA-Z]+){2,}) access");
    private static final Pattern SERVICE = Pattern.compile("([a-z0-9-]+\\.googleapis\\.com)");

    /** Roles that grant the permissions mldev needs, by permission prefix (the narrowest predefined role). */
    private static final Map<String, String> ROLES = Map.of(
            "aiplatform.", "roles/aiplatform.user",
            "storage.", "roles/storage.objectAdmin",
            "iam.serviceAccounts.actAs", "roles/iam.serviceAccountUser",
            "monitoring.", "roles/monitoring.viewer",
            "serviceusage.", "roles/serviceusage.serviceUsageConsumer");

    /** "Quota exceeded for quota metric 'X'", "The following quota metrics exceed quota limits: X". */
    private static final Pattern QUOTA = Pattern.compile(
            "(?i)quota (?:exceeded for (?:quota metric )?'?([\\w./-]+?)'?(?:[\\s.,]|$)|metrics exceed quota limits: ([\\w./-]+))");

    private CloudErrors() {}

    /** @param doing what mldev was doing, e.g. "creating endpoint mldev-ocr" */
    public static MldevException translate(ApiException e, String doing, String project) {
        StatusCode.Code code = e.getStatusCode().getCode();
        String message = Optional.ofNullable(e.getMessage()).orElse(code.name());
        ErrorInfo info =
                e.getErrorDetails() == null ? null : e.getErrorDetails().getErrorInfo();
        return switch (code) {
            case PERMISSION_DENIED -> permissionDenied(e, doing, project, message, info);
            case UNAUTHENTICATED ->
                new MldevException(
                        MldevException.Kind.REMOTE,
                        "Google Cloud refused the credentials while " + doing,
                        "run 'gcloud auth application-default login' again, or check the key file in GOOGLE_APPLICATION_CREDENTIALS",
                        e);
            case NOT_FOUND ->
                MldevException.remote(
                        doing + " failed: not found: " + strip(message), "check --project and --region", e);
            case RESOURCE_EXHAUSTED ->
                quota(info, message)
                        .map(q -> MldevException.remote(
                                doing + " failed: quota exceeded for " + q + ": " + strip(message),
                                quotaHint(project, q),
                                e))
                        .orElseGet(() ->
                                MldevException.remote(doing + " failed: " + code + ": " + strip(message), null, e));
            default -> MldevException.remote(doing + " failed: " + code + ": " + strip(message), null, e);
        };
    }

    /** How to raise a quota, named as Google names it (quota_metric), or null when unknown. */
    public static String quotaHint(String project, String quota) {
        return "waiting does not help: request a higher quota at https://console.cloud.google.com/iam-admin/quotas?project="
                + project + (quota == null ? "" : " (filter by " + quota + ")")
                + ", or use fewer resources or requests";
    }

    /** The quota a RESOURCE_EXHAUSTED answer is about: ErrorInfo's quota_metric, else the "quota metric(s)" in the text. */
    private static Optional<String> quota(ErrorInfo info, String message) {
        if (info != null && info.containsMetadata("quota_metric")) {
            return Optional.of(info.getMetadataOrThrow("quota_metric"));
        }
        return quotaNamedIn(message);
    }

    /** The quota a message names ("Quota exceeded for quota metric 'X'", "... exceed quota limits: X"), if any. */
    public static Optional<String> quotaNamedIn(String message) {
        return firstGroup(QUOTA.matcher(message));
    }

    /** Cloud Storage's (HTTP) errors, translated the same way. */
    public static MldevException translate(BaseServiceException e, String doing, String project) {
        String message = Optional.ofNullable(e.getMessage()).orElse("HTTP " + e.getCode());
        return switch (e.getCode()) {
            case 401 ->
                new MldevException(
                        MldevException.Kind.REMOTE,
                        "Google Cloud refused the credentials while " + doing,
                        "run 'gcloud auth application-default login' again, or check the key file in GOOGLE_APPLICATION_CREDENTIALS",
                        e);
            case 403 -> permissionDenied(e, doing, project, message, null);
            case 404 ->
                MldevException.remote(
                        doing + " failed: not found: " + strip(message),
                        "check that the bucket exists ('gcloud storage buckets create gs://BUCKET --location REGION')",
                        e);
            default -> MldevException.remote(doing + " failed: HTTP " + e.getCode() + ": " + strip(message), null, e);
        };
    }

    private static MldevException permissionDenied(
            Exception e, String doing, String project, String message, ErrorInfo info) {
        Optional<String> disabledApi = disabledApi(message, info);
        if (disabledApi.isPresent()) {
            String api = disabledApi.get();
            return MldevException.remote(
                    "the " + api + " API is not enabled in project " + project + " (" + doing + ")",
                    "enable it: gcloud services enable " + api + " --project " + project,
                    e);
        }
        Optional<String> permission = info != null && info.containsMetadata("permission")
                ? Optional.of(info.getMetadataOrThrow("permission"))
                : firstGroup(PERMISSION.matcher(message));
        if (permission.isEmpty()) {
            return MldevException.remote(
                    "permission denied while " + doing + ": " + strip(message),
                    "check the IAM roles of the account in use on project " + project,
                    e);
        }
        String role = roleFor(permission.get());
        return MldevException.remote(
                "permission denied while " + doing + ": the account lacks " + permission.get(),
                "grant " + role + ": gcloud projects add-iam-policy-binding " + project + " --member=ACCOUNT --role="
                        + role,
                e);
    }

    static String roleFor(String permission) {
        return ROLES.entrySet().stream()
                .filter(r -> permission.startsWith(r.getKey()))
                .max((a, b) -> Integer.compare(a.getKey().length(), b.getKey().length()))
                .map(Map.Entry::getValue)
                .orElse("a role with " + permission);
    }

    private static Optional<String> disabledApi(String message, ErrorInfo info) {
        if (info != null && "SERVICE_DISABLED".equals(info.getReason())) {
            return Optional.of(info.getMetadataOrDefault("service", info.getDomain()));
        }
        if (message.contains("has not been used in project") || message.contains("it is disabled")) {
            return firstGroup(SERVICE.matcher(message));
        }
        return Optional.empty();
    }

    private static Optional<String> firstGroup(Matcher matcher) {
        if (!matcher.find()) {
            return Optional.empty();
        }
        for (int i = 1; i <= matcher.groupCount(); i++) {
            if (matcher.group(i) != null) {
                return Optional.of(matcher.group(i));
            }
        }
        return Optional.empty();
    }

    /** gax prefixes messages with the exception class; keep the server's words only, on one line. */
    private static String strip(String message) {
        String line = message.lines().findFirst().orElse(message);
        return line.replaceFirst("^io\\.grpc\\.StatusRuntimeException: ", "").replaceFirst("^[A-Z_]+: ", "");
    }
}
