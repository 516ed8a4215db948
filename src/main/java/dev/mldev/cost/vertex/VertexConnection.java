package dev.mldev.cost.vertex;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.rpc.TransportChannelProvider;
import dev.mldev.Environment;
import dev.mldev.cloud.AdcCredentials;
import dev.mldev.cloud.CloudEndpoints;
import java.util.function.Function;

/**
 * How to reach Vertex AI and Cloud Monitoring for one project: the credentials, and per region the regional
 * Vertex AI API's address and channel; Cloud Monitoring's (global) address and channel.
 *
 * @param aiplatformEndpoint region to host:port of its Vertex AI API
 * @param aiplatformChannel  region to a channel provider for that address
 */
public record VertexConnection(
        String project,
        CredentialsProvider credentials,
        Function<String, String> aiplatformEndpoint,
        Function<String, TransportChannelProvider> aiplatformChannel,
        String monitoringEndpoint,
        TransportChannelProvider monitoringChannel) {

    /** Application Default Credentials and the public addresses, or gcloud's endpoint overrides and CA file. */
    public static VertexConnection open(Environment env, String project) {
        CloudEndpoints endpoints = CloudEndpoints.from(env);
        return new VertexConnection(
                project,
                FixedCredentialsProvider.create(AdcCredentials.load(env, endpoints)),
                endpoints::aiplatformHostPort,
                endpoints::aiplatformChannel,
                endpoints.monitoringHostPort(),
                endpoints.monitoringChannel());
    }
}
