package dev.mldev.cloud;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the Google APIs are reached and which TLS roots are trusted. By default the public endpoints and the
 * JVM's trust store; gcloud's own variables override both, so a proxy, a private endpoint or a local fake
 * can stand in:
 * {@code CLOUDSDK_API_ENDPOINT_OVERRIDES_AIPLATFORM}, {@code CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE},
 * {@code CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING} (URLs)
 * and {@code CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE} (PEM).
 */
public final class CloudEndpoints {
    public static final String AIPLATFORM_OVERRIDE = "CLOUDSDK_API_ENDPOINT_OVERRIDES_AIPLATFORM";
    public static final String STORAGE_OVERRIDE = "CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE";
    public static final String MONITORING_OVERRIDE = "CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING";
    public static final String RUN_OVERRIDE = "CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN";
    public static final String CA_FILE = "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE";

    private final Optional<URI> aiplatform;
    private final Optional<URI> storage;
    private final Optional<URI> monitoring;
    private final Optional<CustomCa> customCa;
    private Optional<URI> run = Optional.empty();

    private CloudEndpoints(
            Optional<URI> aiplatform, Optional<URI> storage, Optional<URI> monitoring, Optional<CustomCa> customCa) {
        this.aiplatform = aiplatform;
        this.storage = storage;
        this.monitoring = monitoring;
        this.customCa = customCa;
    }

    public static CloudEndpoints from(Environment env) {
        CloudEndpoints endpoints = new CloudEndpoints(
                env.get(AIPLATFORM_OVERRIDE).map(v -> url(AIPLATFORM_OVERRIDE, v)),
                env.get(STORAGE_OVERRIDE).map(v -> url(STORAGE_OVERRIDE, v)),
                env.get(MONITORING_OVERRIDE).map(v -> url(MONITORING_OVERRIDE, v)),
                env.get(CA_FILE).map(Path::of).map(CustomCa::load));
        endpoints.run = env.get(RUN_OVERRIDE).map(v -> url(RUN_OVERRIDE, v));
        return endpoints;
    }

    /** Base URL of the Cloud Run Admin API's REST surface (scheme, host and port; global, not regional). */
    public String runBaseUrl() {
        return run.map(u -> u.getScheme() + "://" + hostPort(u)).orElse("https://run.googleapis.com");
    }

    /** host:port of the regional Vertex AI API. */
    public String aiplatformHostPort(String region) {
        return aiplatform.map(CloudEndpoints::hostPort).orElse(region + "-aiplatform.googleapis.com:443");
    }

    /** Base URL of Cloud Storage's JSON API (scheme, host and port only). */
    public String storageHost() {
        return storage.map(u -> u.getScheme() + "://" + hostPort(u)).orElse("https://storage.googleapis.com");
    }

    /** A gRPC channel to the regional Vertex AI API, trusting the custom CA when one is set. */
    public InstantiatingGrpcChannelProvider aiplatformChannel(String region) {
        return grpcChannel(aiplatformHostPort(region));
    }

    /** host:port of the Cloud Monitoring API (global). */
    public String monitoringHostPort() {
        return monitoring.map(CloudEndpoints::hostPort).orElse("monitoring.googleapis.com:443");
    }

    /** A gRPC channel to the Cloud Monitoring API, trusting the custom CA when one is set. */
    public InstantiatingGrpcChannelProvider monitoringChannel() {
        return grpcChannel(monitoringHostPort());
    }

    private InstantiatingGrpcChannelProvider grpcChannel(String hostPort) {
        return GrpcChannels.to(hostPort, customCa);
    }

    /** The HTTP transport for Google's REST APIs and token endpoints. */
    public HttpTransport httpTransport() {
        if (customCa.isEmpty()) {
            return new NetHttpTransport();
        }
        try {
            return new NetHttpTransport.Builder()
                    .trustCertificates(customCa.get().trustStore())
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "cannot use the CA certificates in " + customCa.get().pemFile(), e);
        }
    }

    /** A plain HTTP client (for dedicated prediction endpoints), trusting the custom CA when one is set. */
    public HttpClient httpClient() {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20));
        customCa.ifPresent(ca -> builder.sslContext(ca.sslContext()));
        return builder.build();
    }

    /**
     * An endpoint override's URL, with a scheme and a host (exit 2 otherwise).
     *
     * @param example a URL the variable may be set to, for the hint
     */
    public static URI overrideUrl(String variable, String value, String example) {
        try {
            URI uri = URI.create(value.trim());
            if (uri.getHost() == null || uri.getScheme() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw MldevException.usage(
                    variable + " is not a URL: " + value, "set it to a URL such as " + example + ", or unset it");
        }
    }

    private static URI url(String variable, String value) {
        return overrideUrl(variable, value, "https://us-central1-aiplatform.googleapis.com/");
    }

    /** HOST:PORT of a URL, the port implied by its scheme when it names none. */
    public static String hostPort(URI uri) {
        int port = uri.getPort() > 0 ? uri.getPort() : "http".equals(uri.getScheme()) ? 80 : 443;
        return uri.getHost() + ":" + port;
    }
}
