package dev.mldev.fake;

import com.google.protobuf.Message;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A gRPC server on 127.0.0.1 with TLS (the fake certificate) that refuses calls without a valid bearer token
 * and applies injected {@link Faults}. Services are described with {@link Service}: method descriptors built
 * from the real request and response messages, so the generated clients talk to it unchanged.
 */
public final class GrpcFakeServer implements AutoCloseable {
    private final FakeAuth auth;
    private final Faults faults;
    private final List<ServerServiceDefinition> services = new ArrayList<>();
    private Server server;

    public GrpcFakeServer(FakeAuth auth, Faults faults) {
        this.auth = auth;
        this.faults = faults;
    }

    /** One gRPC service: its full name and unary methods. */
    public static final class Service {
        private final ServerServiceDefinition.Builder builder;
        private final String serviceName;

        public Service(String serviceName) {
            this.serviceName = serviceName;
            this.builder = ServerServiceDefinition.builder(serviceName);
        }

        /** A unary method; the handler returns the response or throws a {@link StatusRuntimeException}. */
        @SuppressWarnings("unchecked")
        public <Q extends Message, R extends Message> Service unary(
                String method, Q requestPrototype, R responsePrototype, Function<Q, R> handler) {
            MethodDescriptor<Q, R> descriptor = MethodDescriptor.<Q, R>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName(MethodDescriptor.generateFullMethodName(serviceName, method))
                    .setRequestMarshaller(ProtoUtils.marshaller(requestPrototype))
                    .setResponseMarshaller(ProtoUtils.marshaller(responsePrototype))
                    .build();
            builder.addMethod(descriptor, ServerCalls.asyncUnaryCall((request, observer) -> {
                try {
                    observer.onNext(handler.apply(request));
                    observer.onCompleted();
                } catch (StatusRuntimeException e) {
                    observer.onError(e);
                }
            }));
            return this;
        }

        ServerServiceDefinition build() {
            return builder.build();
        }
    }

    public GrpcFakeServer add(Service service) {
        if (server != null) {
            throw new IllegalStateException("add services before start()");
        }
        services.add(service.build());
        return this;
    }

    public GrpcFakeServer start() {
        try {
            NettyServerBuilder builder = NettyServerBuilder.forAddress(
                    new InetSocketAddress("127.0.0.1", 0),
                    TlsServerCredentials.newBuilder()
                            .keyManager(FakeTls.get().keyManagers().getKeyManagers())
                            .build());
            ServerInterceptor checks = new Checks();
            for (ServerServiceDefinition service : services) {
                builder.addService(ServerInterceptors.intercept(service, checks));
            }
            server = builder.build().start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getPort();
    }

    /** host:port for the clients' endpoint setting. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    @Override
    public void close() throws InterruptedException {
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** The bearer-token check, then any injected fault, before the handler runs. */
    private final class Checks implements ServerInterceptor {
        private final Metadata.Key<String> authorization =
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String header = headers.get(authorization);
            if (header == null || !header.startsWith("Bearer ")) {
                call.close(
                        Status.UNAUTHENTICATED.withDescription(
                                "Request is missing required authentication credential. Expected OAuth 2 access token."),
                        new Metadata());
                return new ServerCall.Listener<>() {};
            }
            if (!auth.acceptsBearer(header.substring("Bearer ".length()))) {
                call.close(
                        Status.UNAUTHENTICATED.withDescription("Request had invalid authentication credentials."),
                        new Metadata());
                return new ServerCall.Listener<>() {};
            }
            var fault = faults.take(call.getMethodDescriptor().getFullMethodName(), Faults.Where.CALL);
            if (fault.isPresent()) {
                StatusRuntimeException e = StatusProto.toStatusRuntimeException(fault.get());
                call.close(e.getStatus(), e.getTrailers());
                return new ServerCall.Listener<>() {};
            }
            return next.startCall(call, headers);
        }
    }
}
