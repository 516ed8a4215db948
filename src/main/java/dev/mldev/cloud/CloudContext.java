package dev.mldev.cloud;

import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.rpc.ClientSettings;
import com.google.auth.oauth2.GoogleCredentials;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import java.util.regex.Pattern;

/**
 * What every Google Cloud call needs: the project and region, the credentials, where the APIs are and how
 * failures are retried. Made once per command by {@link #connect}; nothing here is created at class load.
 */
public record CloudContext(
        String project, String region, GoogleCredentials credentials, CloudEndpoints endpoints, Retry retry) {
    private static final Pattern PROJECT =
            Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]|[a-z0-9.-]+:[a-z][a-z0-9-]{4,28}[a-z0-9]");
    private static final Pattern REGION = Pattern.compile("[a-z]+-[a-z]+[0-9]+");

    public static CloudContext connect(Environment env, String project, String region) {
        checkProjectAndRegion(project, region);
        CloudEndpoints endpoints = CloudEndpoints.from(env);
        return new CloudContext(
                project, region, AdcCredentials.load(env, endpoints), endpoints, Retry.standard(project));
    }

    /** Checks the flags before anything is called (exit 2 when missing or malformed). */
    public static void checkProjectAndRegion(String project, String region) {
        if (project == null || project.isBlank()) {
            throw MldevException.usage(
                    "no Google Cloud project given",
                    "pass --project, or set MLDEV_PROJECT (or GOOGLE_CLOUD_PROJECT, CLOUDSDK_CORE_PROJECT)");
        }
        if (!PROJECT.matcher(project).matches()) {
            throw MldevException.usage(
                    "'" + project + "' is not a Google Cloud project id",
                    "use the id (6-30 lowercase letters, digits, hyphens), not the display name or number");
        }
        if (region == null || region.isBlank()) {
            throw MldevException.usage(
                    "no Google Cloud region given", "pass --region (e.g. us-central1), or set MLDEV_REGION");
        }
        if (!REGION.matcher(region).matches()) {
            throw MldevException.usage(
                    "'" + region + "' is not a Google Cloud region",
                    "use a region such as us-central1 or europe-west4");
        }
    }

    public CloudContext withRetry(Retry newRetry) {
        return new CloudContext(project, region, credentials, endpoints, newRetry);
    }

    /** Points a Vertex AI client's settings at the regional API with these credentials (and the custom CA, if any). */
    public <B extends ClientSettings.Builder<?, B>> B configureAiplatform(B settings) {
        return settings.setCredentialsProvider(FixedCredentialsProvider.create(credentials))
                .setTransportChannelProvider(endpoints.aiplatformChannel(region))
                .setEndpoint(endpoints.aiplatformHostPort(region));
    }

    /** projects/P/locations/R */
    public String location() {
        return "projects/" + project + "/locations/" + region;
    }

    /** A current OAuth access token, for the few calls made without a client library. Never print it. */
    public String accessToken() {
        return AdcCredentials.accessToken(credentials);
    }
}
