package dev.mldev.image;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dependency jars the serving image carries, by Maven artifact id: what {@code serve} and {@code predict} load,
 * nothing of the Cloud-only commands (BigQuery, Arrow, billing, Monitoring, the Vertex AI admin client, jib) and no
 * Cloud Storage client: serve reads a gs:// bundle through the JSON API over java.net.http, so no class of
 * google-cloud-*, google-api-client, gax, gRPC's transports or protobuf is loaded (grpc-api stays for
 * {@code io.grpc.Context}, which OpenCensus in google-http-client uses).
 * <p>
 * How the list was found: ServingImageOnGoogleCloudTest, CloudRunServingImageTest and BatchCommandTest run with
 * {@code -Xlog:class+load} in the unpacked image (JAVA_TOOL_OPTIONS), which covers {@code serve} over a bundle
 * downloaded from (fake) Cloud Storage with metadata server credentials, predictions through it, the batch
 * predictions and the pipeline component's {@code mldev predict}; the jars named as the classes' sources are these.
 * The same tests fail when a class serve or predict loads is missing.
 */
public final class ServingJars {
    static final Set<String> ARTIFACTS = Set.of(
            // the CLI, JSON, models and images
            "picocli",
            "jackson-annotations",
            "jackson-core",
            "jackson-databind",
            "onnxruntime_gpu",
            "onnxruntime",
            // the server and its metrics
            "netty-buffer",
            "netty-codec",
            "netty-codec-http",
            "netty-common",
            "netty-handler",
            "netty-transport",
            "prometheus-metrics-config",
            "prometheus-metrics-core",
            "prometheus-metrics-exposition-textformats",
            "prometheus-metrics-model",
            "prometheus-metrics-tracer-common",
            "prometheus-metrics-tracer-initializer",
            "prometheus-metrics-tracer-otel",
            "prometheus-metrics-tracer-otel-agent",
            "slf4j-api",
            // gs:// bundles: Application Default Credentials (google-auth over google-http-client, whose OpenCensus
            // tracing needs grpc-api's io.grpc.Context); the objects are read over java.net.http (GcsObjectReader)
            "google-auth-library-credentials",
            "google-auth-library-oauth2-http",
            "google-http-client",
            "google-http-client-gson",
            "gson",
            "guava",
            "failureaccess",
            "opencensus-api",
            "opencensus-contrib-http-util",
            "grpc-api",
            // exemplars in /metrics (prometheus-metrics-tracer-otel)
            "opentelemetry-api",
            "opentelemetry-context");
    /** artifactId-VERSION.jar */
    private static final Pattern JAR = Pattern.compile("(.+?)-\\d[^/]*\\.jar");

    private ServingJars() {}

    /** Whether the serving image carries this jar, by its file name. */
    public static boolean isKept(String jarFileName) {
        Matcher name = JAR.matcher(jarFileName);
        return name.matches() && ARTIFACTS.contains(name.group(1));
    }
}
