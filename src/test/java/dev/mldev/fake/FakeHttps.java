package dev.mldev.fake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.rpc.Code;
import com.google.rpc.Status;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTPS side of the fake Google Cloud on 127.0.0.1: the OAuth token endpoint ({@code /token}) and the
 * REST surfaces added with {@link #route}, each behind the bearer-token check and the injected faults.
 */
public final class FakeHttps implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A REST handler; it may throw {@link HttpError}. */
    public interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    /** An error answered as Google's JSON error body. */
    public static final class HttpError extends RuntimeException {
        final Status status;

        public HttpError(Status status) {
            super(status.getMessage());
            this.status = status;
        }

        public HttpError(Code code, String message) {
            this(Faults.status(code, message));
        }
    }

    private final FakeAuth auth;
    private final Faults faults;
    private final HttpsServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    public FakeHttps(FakeAuth auth, Faults faults) {
        this.auth = auth;
        this.faults = faults;
        try {
            server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setHttpsConfigurator(new HttpsConfigurator(FakeTls.get().serverContext()));
        server.setExecutor(executor);
        server.createContext("/token", this::token);
    }

    /** Serves {@code pathPrefix}; {@code faultName} picks the injected faults that apply ("storage/get"...). */
    public FakeHttps route(
            String pathPrefix, java.util.function.Function<HttpExchange, String> faultName, Handler handler) {
        server.createContext(pathPrefix, exchange -> {
            try (exchange) {
                try {
                    String header = exchange.getRequestHeaders().getFirst("Authorization");
                    if (header == null || !header.startsWith("Bearer ") || !auth.acceptsBearer(header.substring(7))) {
                        throw new HttpError(Code.UNAUTHENTICATED, "Request had invalid authentication credentials.");
                    }
                    var fault = faults.take(faultName.apply(exchange), Faults.Where.CALL);
                    if (fault.isPresent()) {
                        throw new HttpError(fault.get());
                    }
                    handler.handle(exchange);
                } catch (HttpError e) {
                    sendError(exchange, e.status);
                } catch (RuntimeException e) {
                    sendError(exchange, Faults.status(Code.INTERNAL, String.valueOf(e)));
                }
            }
        });
        return this;
    }

    public FakeHttps start() {
        server.start();
        return this;
    }

    /** https://127.0.0.1:PORT */
    public String baseUrl() {
        return "https://127.0.0.1:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> form =
                    parseForm(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            var audience = auth.idTokenAudience(form);
            if (audience.isPresent()) {
                send(
                        exchange,
                        200,
                        JSON.createObjectNode()
                                .put("id_token", auth.issueIdToken(audience.get()))
                                .toString());
                return;
            }
            var token = auth.exchange(form);
            ObjectNode body = JSON.createObjectNode();
            if (token.isEmpty()) {
                body.put("error", "invalid_grant").put("error_description", "Invalid JWT Signature.");
                send(exchange, 400, body.toString());
                return;
            }
            body.put("access_token", token.get()).put("expires_in", 3599).put("token_type", "Bearer");
            send(exchange, 200, body.toString());
        }
    }

    static Map<String, String> parseForm(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    /** Google's JSON error body, with the HTTP status its code maps to and the details ("@type" named). */
    static void sendError(HttpExchange exchange, Status status) throws IOException {
        Code code = Code.forNumber(status.getCode());
        ObjectNode error = JSON.createObjectNode();
        ObjectNode body = error.putObject("error")
                .put("code", httpStatus(code))
                .put("message", status.getMessage())
                .put("status", code.name());
        if (status.getDetailsCount() > 0) {
            var details = body.putArray("details");
            for (com.google.protobuf.Any detail : status.getDetailsList()) {
                details.add(JSON.readTree(DETAILS.print(detail)));
            }
        }
        send(exchange, httpStatus(code), error.toString());
    }

    private static final com.google.protobuf.util.JsonFormat.Printer DETAILS =
            com.google.protobuf.util.JsonFormat.printer()
                    .usingTypeRegistry(com.google.protobuf.util.JsonFormat.TypeRegistry.newBuilder()
                            .add(com.google.rpc.ErrorInfo.getDescriptor())
                            .add(com.google.rpc.QuotaFailure.getDescriptor())
                            .add(com.google.rpc.Help.getDescriptor())
                            .build())
                    .omittingInsignificantWhitespace();

    static int httpStatus(Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, ABORTED -> 409;
            case RESOURCE_EXHAUSTED -> 429;
            case UNIMPLEMENTED -> 501;
            case UNAVAILABLE -> 503;
            case DEADLINE_EXCEEDED -> 504;
            default -> 500;
        };
    }
}
