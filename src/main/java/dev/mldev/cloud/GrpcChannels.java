package dev.mldev.cloud;

import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * gRPC channels to Google's APIs, trusting the custom CA when one is set. Kept out of {@link CloudEndpoints}: the
 * JVM verifies a class's methods when it loads it, and checking the channel configurator's return type loads gRPC's
 * Netty classes, which {@code serve} (it uses CloudEndpoints for Cloud Storage) and the serving image do not carry.
 */
final class GrpcChannels {
    private GrpcChannels() {}

    static InstantiatingGrpcChannelProvider to(String hostPort, Optional<CustomCa> customCa) {
        InstantiatingGrpcChannelProvider.Builder builder =
                InstantiatingGrpcChannelProvider.newBuilder().setEndpoint(hostPort);
        customCa.ifPresent(ca -> builder.setChannelConfigurator(channel -> {
            try {
                return ((NettyChannelBuilder) channel)
                        .sslContext(GrpcSslContexts.forClient()
                                .trustManager(ca.pemFile().toFile())
                                .build());
            } catch (SSLException e) {
                throw new IllegalStateException("cannot use the CA certificates in " + ca.pemFile(), e);
            }
        }));
        return builder.build();
    }
}
