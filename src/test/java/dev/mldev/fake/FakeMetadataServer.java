package dev.mldev.fake;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The metadata server of a Google Cloud machine, the part google-auth's ComputeEngineCredentials uses: the
 * probe, the default service account's access token, its email and the project. Plain HTTP on 127.0.0.1, as
 * the real one is plain HTTP on 169.254.169.254; a container reaches it through {@code GCE_METADATA_HOST}.
 */
final class FakeMetadataServer implements AutoCloseable {
    private static final String PREFIX = "/computeMetadata/v1/";
    private final HttpServer server;

    FakeMetadataServer(FakeAuth auth, ServiceAccountKey account, String project) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                exchange.getResponseHeaders().set("Metadata-Flavor", "Google");
                if (path.equals("/")) {
                    send(exchange, 200, "text/plain", "");
                } else if (!"Google".equals(exchange.getRequestHeaders().getFirst("Metadata-Flavor"))) {
                    send(exchange, 403, "text/plain", "Missing Metadata-Flavor:Google header.");
                } else if (path.equals(PREFIX + "instance/service-accounts/default/token")) {
                    send(
                            exchange,
                            200,
                            "application/json",
                            FakeHttps.JSON
                                    .createObjectNode()
                                    .put("access_token", auth.issueFor(account.email()))
                                    .put("expires_in", 3599)
                                    .put("token_type", "Bearer")
                                    .toString());
                } else if (path.equals(PREFIX + "instance/service-accounts/default/email")) {
                    send(exchange, 200, "text/plain", account.email());
                } else if (path.equals(PREFIX + "project/project-id")) {
                    send(exchange, 200, "text/plain", project);
                } else {
                    send(exchange, 404, "text/plain", "Not Found");
                }
            }
        });
        server.start();
    }

    /** host:port, the value of GCE_METADATA_HOST. */
    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
