package dev.mldev.image;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An OAuth2 access token from Application Default Credentials, the registry password Artifact Registry takes
 * with the user name {@code oauth2accesstoken}. Fetched once per run; never printed.
 */
public final class AdcAccessToken {
    private static final List<String> SCOPES = List.of("https://www.googleapis.com/auth/cloud-platform");
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
        if (credentials.createScopedRequired()) {
            credentials = credentials.createScoped(SCOPES);
        }
        try {
            credentials.refreshIfExpired();
        } catch (IOException e) {
            throw MldevException.remote("cannot get an access token from Application Default Credentials: "
                            + firstLine(e),
                    "run 'gcloud auth application-default login', or check the key file in "
                            + "GOOGLE_APPLICATION_CREDENTIALS", e);
        }
        AccessToken accessToken = credentials.getAccessToken();
        if (accessToken == null || accessToken.getTokenValue() == null) {
            throw MldevException.remote("Application Default Credentials gave no access token", 
                    "run 'gcloud auth application-default login'", null);
        }
        return accessToken.getTokenValue();
    }

    /** GOOGLE_APPLICATION_CREDENTIALS from mldev's Environment first (so tests and callers control it). */
    private GoogleCredentials load() {
        Optional<String> keyFile = env.get("GOOGLE_APPLICATION_CREDENTIALS");
        try {
            if (keyFile.isPresent()) {
                try (InputStream in = Files.newInputStream(Path.of(keyFile.get()))) {
                    return GoogleCredentials.fromStream(in);
                }
            }
            return GoogleCredentials.getApplicationDefault();
        } catch (IOException e) {
            throw MldevException.failure("no usable Application Default Credentials: " + firstLine(e),
                    "run 'gcloud auth application-default login', or set GOOGLE_APPLICATION_CREDENTIALS to a "
                            + "service-account key file");
        }
    }

    private static String firstLine(Exception e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse("");
    }
}
