package dev.mldev.fake;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Google's Security Token Service on loopback (HTTPS, {@code POST /v1/token}): Workload Identity Federation's token
 * exchange. It trades a subject token from a CI system (an OIDC ID token) for a federated access token that the
 * other fakes accept, if the subject token is one the pool's provider trusts and the audience names that provider;
 * otherwise it answers STS's OAuth error ({@code invalid_grant}), as Google does.
 */
public final class FakeSts implements AutoCloseable {
    static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    public static final String AUDIENCE =
            "//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/ci-pool/providers/ci-provider";

    private final FakeAuth auth;
    private final HttpsServer server;
    private final Set<String> trustedSubjectTokens = ConcurrentHashMap.newKeySet();

    public FakeSts(FakeAuth auth) {
        this.auth = auth;
        try {
            server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setHttpsConfigurator(new HttpsConfigurator(FakeTls.get().serverContext()));
        server.createContext("/v1/token", this::exchange);
        server.start();
    }

    /** A subject token the pool's provider accepts, as a CI system's OIDC token for an allowed repository. */
    public void trust(String subjectToken) {
        trustedSubjectTokens.add(subjectToken);
    }

    /** The token_url an ADC file names. */
    public String tokenUrl() {
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/v1/token";
    }

    private void exchange(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> form =
                    FakeHttps.parseForm(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ObjectNode body = FakeHttps.JSON.createObjectNode();
            if (!TOKEN_EXCHANGE.equals(form.get("grant_type"))) {
                body.put("error", "unsupported_grant_type").put("error_description", "Invalid grant_type.");
            } else if (!AUDIENCE.equals(form.get("audience"))) {
                body.put("error", "invalid_target")
                        .put(
                                "error_description",
                                "The target service indicated by the \"audience\" parameters is invalid. This might either be because "
                                        + "the pool or provider is disabled or deleted or because it doesn't exist.");
            } else if (!trustedSubjectTokens.contains(form.getOrDefault("subject_token", ""))) {
                body.put("error", "invalid_grant")
                        .put(
                                "error_description",
                                "The audience in ID Token [https://ci.example] does not match the expected audience.");
            } else {
                body.put("access_token", auth.issue())
                        .put("issued_token_type", "urn:ietf:params:oauth:token-type:access_token")
                        .put("token_type", "Bearer")
                        .put("expires_in", 3599);
                FakeHttps.send(exchange, 200, body.toString());
                return;
            }
            FakeHttps.send(exchange, 400, body.toString());
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
