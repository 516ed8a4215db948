package dev.mldev.image;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dependency jars the serving image carries, by Maven artifact id: what {@code serve} and {@code predict} load,
 * nothing of the Cloud-only commands (BigQuery, Arrow, billing, Monitoring, the Vertex AI admin client, jib).
 * <p>
 * How the list was found: ServingImageOnGoogleCloudTest run with {@code -Xlog:class+load} in the unpacked image
 * (JAVA_TOOL_OPTIONS), which covers {@code serve} over a bundle downloaded from (fake) Cloud Storage with metadata
 * server credentials, predictions through it, and the pipeline component's {@code mldev predict}; the jars named
 * as the classes' sources are these. The same test fails when a class serve or predict loads is missing.
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
            "prometheus-metrics-model",
            "prometheus-metrics-tracer-common",
            "prometheus-metrics-tracer-initializer",
            "prometheus-metrics-tracer-otel",
            "prometheus-metrics-tracer-otel-agent",
            "slf4j-api",
            // gs:// bundles: the Cloud Storage client and its credentials
            "google-cloud-storage",
            "google-api-services-storage",
            "google-cloud-core",
            "google-cloud-core-http",
            "google-api-client",
            "google-http-client",
            "google-http-client-appengine",
            "google-http-client-gson",
            "google-http-client-jackson2",
            "google-auth-library-credentials",
            "google-auth-library-oauth2-http",
            "gax",
            "gax-httpjson",
            "api-common",
            "grpc-api",
            "grpc-netty-shaded",
            "protobuf-java",
            "gson",
            "guava",
            "failureaccess",
            "opencensus-api",
            "opencensus-contrib-http-util",
            "opentelemetry-api",
            "opentelemetry-context");
    /** artifactId-VERSION.jar; Google's API jars have their revision in the artifact's version. */
    private static final Pattern JAR = Pattern.compile("(.+?)-(v\\d+-rev\\d+-)?\\d[^/]*\\.jar");

    private ServingJars() {}

    /** Whether the serving image carries this jar, by its file name. */
    public static boolean isKept(String jarFileName) {
        Matcher name = JAR.matcher(jarFileName);
        return name.matches() && ARTIFACTS.contains(name.group(1));
    }
}
