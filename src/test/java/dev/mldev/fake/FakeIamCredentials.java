package dev.mldev.fake;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.rpc.Code;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * IAM Credentials on loopback (HTTPS): {@code POST /v1/projects/-/serviceAccounts/EMAIL:generateAccessToken}, the
 * call behind service-account impersonation. The caller's bearer token must be one the fakes accept, and the
 * service account must let callers impersonate it ({@link #allowImpersonation}); otherwise 403 with
 * {@code iam.serviceAccounts.getAccessToken}, as IAM answers without roles/iam.workloadIdentityUser or
 * roles/iam.serviceAccountTokenCreator.
 */
public final class FakeIamCredentials implements AutoCloseable {
    private static final Pattern PATH = Pattern.compile("/v1/projects/-/serviceAccounts/([^/:]+):generateAccessToken");

    private final FakeAuth auth;
    private final HttpsServer server;
    private final Set<String> impersonable = ConcurrentHashMap.newKeySet();

    public FakeIamCredentials(FakeAuth auth) {
        this.auth = auth;
        try {
            server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setHttpsConfigurator(new HttpsConfigurator(FakeTls.get().serverContext()));
        server.createContext("/v1/projects/", this::generateAccessToken);
        server.start();
    }

    public void allowImpersonation(String serviceAccount) {
        impersonable.add(serviceAccount);
    }

    public void denyImpersonation(String serviceAccount) {
        impersonable.remove(serviceAccount);
    }

    /** The service_account_impersonation_url an ADC file names for this account. */
    public String impersonationUrl(String serviceAccount) {
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/v1/projects/-/serviceAccounts/" + serviceAccount
                + ":generateAccessToken";
    }

    private void generateAccessToken(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            Matcher path = PATH.matcher(exchange.getRequestURI().getPath());
            String header = exchange.getRequestHeaders().getFirst("Authorization");
            if (header == null || !header.startsWith("Bearer ") || !auth.acceptsBearer(header.substring(7))) {
                FakeHttps.sendError(
                        exchange,
                        Faults.status(Code.UNAUTHENTICATED, "Request had invalid authentication credentials."));
            } else if (!"POST".equals(exchange.getRequestMethod()) || !path.matches()) {
                FakeHttps.sendError(
                        exchange,
                        Faults.status(
                                Code.NOT_FOUND,
                                "Unknown method " + exchange.getRequestURI().getPath()));
            } else if (!impersonable.contains(path.group(1))) {
                FakeHttps.sendError(
                        exchange,
                        Faults.status(
                                Code.PERMISSION_DENIED,
                                "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)."));
            } else {
                ObjectNode body = FakeHttps.JSON
                        .createObjectNode()
                        .put("accessToken", auth.issue())
                        .put(
                                "expireTime",
                                Instant.now()
                                        .plus(1, ChronoUnit.HOURS)
                                        .truncatedTo(ChronoUnit.SECONDS)
                                        .toString());
                FakeHttps.send(exchange, 200, body.toString());
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
