package dev.mldev.cloud;

import com.google.auth.oauth2.ComputeEngineCredentials;
import com.google.auth.oauth2.GoogleCredentials;
import dev.mldev.Environment;
import dev.mldev.Failures;
import dev.mldev.MldevException;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Application Default Credentials (any type gcloud writes, Workload Identity Federation included), found in gcloud's order: the file named by GOOGLE_APPLICATION_CREDENTIALS,
 * then gcloud's ADC file ({@code gcloud auth application-default login}), then the metadata server of a Google
 * Cloud machine. Read from the {@link Environment} rather than the process so tests can point it anywhere.
 */
public final class AdcCredentials {
    public static final String CREDENTIALS_VARIABLE = "GOOGLE_APPLICATION_CREDENTIALS";
    static final List<String> SCOPES = List.of("https://www.googleapis.com/auth/cloud-platform");
    private static final int METADATA_PROBE_MILLIS = 500;

    private AdcCredentials() {}

    /** Scoped credentials ready for the Vertex AI and Storage clients; exit 4 with the fix when there are none. */
    public static GoogleCredentials load(Environment env, CloudEndpoints endpoints) {
        Optional<String> named = env.get(CREDENTIALS_VARIABLE);
        if (named.isPresent()) {
            Path file = Path.of(named.get());
            if (!Files.isRegularFile(file)) {
                throw new MldevException(
                        MldevException.Kind.REMOTE,
                        CREDENTIALS_VARIABLE + " names " + file + ", which does not exist",
                        "point it at a service-account key file, or unset it and run 'gcloud auth application-default login'");
            }
            return fromFile(file, endpoints);
        }
        Path gcloudFile = gcloudAdcFile(env);
        if (Files.isRegularFile(gcloudFile)) {
            return fromFile(gcloudFile, endpoints);
        }
        if (metadataServerAnswers(env)) {
            return ComputeEngineCredentials.create().createScoped(SCOPES);
        }
        throw new MldevException(
                MldevException.Kind.REMOTE,
                "no Google Cloud credentials found",
                "run 'gcloud auth application-default login', or set " + CREDENTIALS_VARIABLE
                        + " to a service-account key file");
    }

    /** A current OAuth access token from the credentials, refreshed when it has expired. Never print it. */
    public static String accessToken(GoogleCredentials credentials) {
        try {
            credentials.refreshIfExpired();
            return credentials.getAccessToken().getTokenValue();
        } catch (IOException e) {
            throw MldevException.remote(
                    "cannot get an access token from the credentials: " + e.getMessage(),
                    "run 'gcloud auth application-default login' again, or check GOOGLE_APPLICATION_CREDENTIALS",
                    e);
        }
    }

    /** Where gcloud keeps the ADC file: $CLOUDSDK_CONFIG, %APPDATA%\gcloud on Windows, ~/.config/gcloud elsewhere. */
    static Path gcloudAdcFile(Environment env) {
        Path dir = env.get("CLOUDSDK_CONFIG")
                .map(Path::of)
                .or(() -> env.get("APPDATA").filter(a -> isWindows()).map(a -> Path.of(a, "gcloud")))
                .orElse(env.home().resolve(".config").resolve("gcloud"));
        return dir.resolve("application_default_credentials.json");
    }

    /**
     * Any ADC file type google-auth reads: a service-account key, a gcloud user, Workload Identity Federation
     * ({@code external_account}) or impersonation ({@code impersonated_service_account}); the last two fetch their
     * first token now, so a failure names its step ({@link DelegatedCredentials}).
     */
    private static GoogleCredentials fromFile(Path file, CloudEndpoints endpoints) {
        GoogleCredentials credentials;
        try (InputStream in = Files.newInputStream(file)) {
            credentials =
                    GoogleCredentials.fromStream(in, endpoints::httpTransport).createScoped(SCOPES);
        } catch (IOException | RuntimeException e) {
            throw new MldevException(
                    MldevException.Kind.REMOTE,
                    "cannot use the credentials in " + file + ": " + Failures.firstLine(e),
                    "download a fresh service-account key, run 'gcloud auth application-default login', or write a "
                            + "Workload Identity Federation file with 'gcloud iam workload-identity-pools create-cred-config'",
                    e);
        }
        if (DelegatedCredentials.applies(credentials)) {
            DelegatedCredentials.fetchFirstToken(credentials, file);
        }
        return credentials;
    }

    /** The same check google-auth makes: a quick GET that answers with Metadata-Flavor: Google. */
    private static boolean metadataServerAnswers(Environment env) {
        if (env.get("NO_GCE_CHECK").map(Boolean::parseBoolean).orElse(false)) {
            return false;
        }
        String host = env.get("GCE_METADATA_HOST").orElse("169.254.169.254");
        try {
            HttpURLConnection connection = (HttpURLConnection) new URL("http://" + host + "/").openConnection();
            connection.setConnectTimeout(METADATA_PROBE_MILLIS);
            connection.setReadTimeout(METADATA_PROBE_MILLIS);
            connection.setRequestProperty("Metadata-Flavor", "Google");
            try {
                return "Google".equals(connection.getHeaderField("Metadata-Flavor"));
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").startsWith("Windows");
    }
}
