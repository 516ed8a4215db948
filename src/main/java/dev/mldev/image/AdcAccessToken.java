package dev.mldev.image;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.mldev.Environment;
import dev.mldev.Failures;
import dev.mldev.MldevException;
import dev.mldev.cloud.AdcCredentials;
import dev.mldev.cloud.CloudEndpoints;
import java.io.IOException;

/**
 * An OAuth2 access token from Application Default Credentials, the registry password Artifact Registry takes
 * with the user name {@code oauth2accesstoken}. Fetched once per run; never printed.
 */
public final class AdcAccessToken {
    private final Environment env;
    private String token;

    public AdcAccessToken(Environment env) {
        this.env = env;
    }

    public synchronized String get() {
        if (token == null) {
            token = fetch();
        }
        return token;
    }

    private String fetch() {
        GoogleCredentials credentials = load();
        try {
            credentials.refreshIfExpired();
        } catch (IOException e) {
            throw MldevException.remote(
                    "cannot get an access token from Application Default Credentials: " + Failures.firstLine(e),
                    "run 'gcloud auth application-default login', or check the key file in "
                            + "GOOGLE_APPLICATION_CREDENTIALS",
                    e);
        }
        AccessToken accessToken = credentials.getAccessToken();
        if (accessToken == null || accessToken.getTokenValue() == null) {
            throw MldevException.remote(
                    "Application Default Credentials gave no access token",
                    "run 'gcloud auth application-default login'",
                    null);
        }
        return accessToken.getTokenValue();
    }

    /** Found as gcloud finds them, through the same loader the Vertex AI commands use. */
    private GoogleCredentials load() {
        return AdcCredentials.load(env, CloudEndpoints.from(env));
    }
}
