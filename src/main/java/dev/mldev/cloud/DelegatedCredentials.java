package dev.mldev.cloud;

import com.google.api.client.http.HttpResponseException;
import com.google.auth.oauth2.ExternalAccountCredentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ImpersonatedCredentials;
import dev.mldev.Failures;
import dev.mldev.MldevException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Credentials that get their token from other services before any Google Cloud call: Workload Identity Federation
 * ({@code external_account}: a subject token from the CI system, exchanged at the Security Token Service, then
 * optionally a service account impersonated through IAM Credentials) and service-account impersonation
 * ({@code impersonated_service_account}). google-auth-library does the steps; their first token is fetched here,
 * when the credentials are loaded, so that a failure says which step failed and what to grant, instead of
 * surfacing as UNAUTHENTICATED on the first API call.
 */
final class DelegatedCredentials {
    static final String TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator";
    static final String WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser";

    private DelegatedCredentials() {}

    static boolean applies(GoogleCredentials credentials) {
        return credentials instanceof ExternalAccountCredentials || credentials instanceof ImpersonatedCredentials;
    }

    /** Fetches the first token, step by step; exit 4 naming the failed step and the fix. */
    static void fetchFirstToken(GoogleCredentials credentials, Path file) {
        if (credentials instanceof ExternalAccountCredentials federated) {
            try {
                federated.retrieveSubjectToken();
            } catch (IOException | RuntimeException e) {
                throw MldevException.remote(
                        "cannot read the CI system's subject token (credential_source in " + file + "): "
                                + Failures.firstLine(e),
                        "let the job issue an OIDC token (GitHub Actions: 'permissions: id-token: write'; GitLab CI: "
                                + "'id_tokens') where the file names it, or write the file again with 'gcloud iam "
                                + "workload-identity-pools create-cred-config'",
                        e);
            }
        }
        if (credentials instanceof ImpersonatedCredentials impersonated) {
            try {
                impersonated.getSourceCredentials().refresh();
            } catch (IOException | RuntimeException e) {
                throw MldevException.remote(
                        "the source credentials in " + file + " (to impersonate " + impersonated.getAccount()
                                + ") were refused: " + Failures.firstLine(e),
                        "run 'gcloud auth application-default login --impersonate-service-account="
                                + impersonated.getAccount() + "' again",
                        e);
            }
        }
        try {
            credentials.refresh();
        } catch (IOException | RuntimeException e) {
            throw translate(e, credentials, file);
        }
    }

    /**
     * What is left to fail: for federation, the exchange or the impersonation after it. IAM Credentials' refusals
     * reach here as google-http-client's HttpResponseException, the token exchange's as google-auth's own OAuth
     * exception (not public): the HTTP one tells the two apart. For impersonation, only IAM Credentials is left.
     */
    private static MldevException translate(Exception e, GoogleCredentials credentials, Path file) {
        Optional<HttpResponseException> iamRefusal = cause(e, HttpResponseException.class);
        if (credentials instanceof ExternalAccountCredentials federated) {
            if (iamRefusal.isPresent() && federated.getServiceAccountEmail() != null) {
                String account = federated.getServiceAccountEmail();
                return impersonationDenied(
                        account,
                        iamRefusal,
                        e,
                        WORKLOAD_IDENTITY_USER,
                        "gcloud iam service-accounts add-iam-policy-binding " + account + " --role="
                                + WORKLOAD_IDENTITY_USER + " --member=principalSet:"
                                + federated.getAudience().replaceFirst("/providers/.*$", "/*"));
            }
            return MldevException.remote(
                    "the token exchange (Security Token Service) refused the CI system's subject " + "token: "
                            + Failures.firstLine(rootCause(e)),
                    "check that 'audience' in " + file + " names the pool's provider (" + federated.getAudience()
                            + ") and that the provider's attribute condition admits this job",
                    e);
        }
        String account = ((ImpersonatedCredentials) credentials).getAccount();
        return impersonationDenied(
                account,
                iamRefusal,
                e,
                TOKEN_CREATOR,
                "gcloud iam service-accounts add-iam-policy-binding " + account + " --role=" + TOKEN_CREATOR
                        + " --member=user:YOU@EXAMPLE.COM");
    }

    private static MldevException impersonationDenied(
            String account, Optional<HttpResponseException> answer, Exception e, String role, String command) {
        String status = answer.map(http -> "HTTP " + http.getStatusCode()).orElse(Failures.firstLine(rootCause(e)));
        return MldevException.remote(
                "impersonating " + account + " was denied (IAM Credentials answered " + status
                        + "): the caller lacks iam.serviceAccounts.getAccessToken on it",
                "grant " + role + " on the service account: " + command,
                e);
    }

    private static <T extends Throwable> Optional<T> cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }

    /** google-auth wraps the service's answer ("Unable to refresh sourceCredentials"): the answer is the last cause. */
    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root;
    }
}
