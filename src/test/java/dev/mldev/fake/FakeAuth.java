package dev.mldev.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Google's OAuth side, faked: the service accounts and gcloud users the fake knows, the access tokens its
 * token endpoint has issued, and the check every fake service makes on a request's bearer token.
 */
public final class FakeAuth {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, RSAPublicKey> serviceAccounts = new ConcurrentHashMap<>();
    private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final Map<String, String> idTokens = new ConcurrentHashMap<>();

    public void addServiceAccount(ServiceAccountKey key) {
        serviceAccounts.put(key.email(), key.publicKey());
    }

    /** A gcloud user (authorized_user ADC file) with this client id and refresh token. */
    public void addUser(String clientId, String refreshToken) {
        refreshTokens.put(refreshToken, clientId);
    }

    /** Tokens issued so far (tests check that none of them is ever printed). */
    public Set<String> issuedTokens() {
        return Set.copyOf(issued);
    }

    /** Every token issued so far stops working, as when a key is deleted. */
    public void revokeAll() {
        revoked.addAll(issued);
    }

    /** The token endpoint: a form body in, an access token (or an OAuth error) out. */
    public Optional<String> exchange(Map<String, String> form) {
        String grant = form.getOrDefault("grant_type", "");
        boolean ok = switch (grant) {
            case "urn:ietf:params:oauth:grant-type:jwt-bearer" -> verifyJwt(form.getOrDefault("assertion", ""), true);
            case "refresh_token" ->
                form.getOrDefault("client_id", "").equals(refreshTokens.get(form.getOrDefault("refresh_token", "")));
            default -> false;
        };
        if (!ok) {
            return Optional.empty();
        }
        return Optional.of(issue());
    }

    /** A new access token every fake accepts, as the token exchange (STS) and IAM Credentials issue them. */
    public String issue() {
        String token = "ya29.fake-" + UUID.randomUUID();
        issued.add(token);
        return token;
    }

    /** A token for a known service account, as a Google Cloud machine's metadata server hands one out. */
    public String issueFor(String serviceAccount) {
        if (!serviceAccounts.containsKey(serviceAccount)) {
            throw new IllegalArgumentException("unknown service account " + serviceAccount);
        }
        String token = "ya29.fake-metadata-" + UUID.randomUUID();
        issued.add(token);
        return token;
    }

    /**
     * The audience of an ID-token request (a service account's signed JWT carrying {@code target_audience}, as
     * google-auth's IdTokenProvider sends it to the token endpoint), or empty for any other request. Unlike an access
     * token's JWT, this one's {@code aud} is the key file's token_uri (here the fake's own /token).
     */
    public Optional<String> idTokenAudience(Map<String, String> form) {
        String assertion = form.getOrDefault("assertion", "");
        if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))
                || !verifyJwt(assertion, false)) {
            return Optional.empty();
        }
        try {
            JsonNode claims =
                    JSON.readTree(Base64.getUrlDecoder().decode(assertion.split("\\.")[1]));
            if (!claims.path("aud").asText().endsWith("/token")) {
                return Optional.empty();
            }
            return Optional.ofNullable(claims.path("target_audience").asText(null));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A Google-style ID token (a JWT) for {@code audience}; only {@link #acceptsIdToken} checks it. */
    public String issueIdToken(String audience) {
        long now = System.currentTimeMillis() / 1000;
        String header = base64Url("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
        String claims = base64Url(JSON.createObjectNode()
                .put("iss", "https://accounts.google.com")
                .put("aud", audience)
                .put("sub", "fake-" + UUID.randomUUID())
                .put("iat", now)
                .put("exp", now + 3600)
                .toString());
        String token = header + "." + claims + "." + base64Url("fake-signature-" + UUID.randomUUID());
        idTokens.put(token, audience);
        return token;
    }

    /** Whether the token is an ID token issued here for exactly this audience (what Cloud Run checks). */
    public boolean acceptsIdToken(String token, String audience) {
        return audience.equals(idTokens.get(token)) && !revoked.contains(token);
    }

    private static String base64Url(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A token this endpoint issued, or a self-signed JWT (gax's JWT access) from a known service account. */
    public boolean acceptsBearer(String token) {
        if (revoked.contains(token)) {
            return false;
        }
        return issued.contains(token) || verifyJwt(token, false);
    }

    private boolean verifyJwt(String jwt, boolean forTokenEndpoint) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            return false;
        }
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            RSAPublicKey key = serviceAccounts.get(claims.path("iss").asText());
            if (key == null || claims.path("exp").asLong() < System.currentTimeMillis() / 1000) {
                return false;
            }
            if (forTokenEndpoint && !claims.path("aud").asText().startsWith("https://oauth2.googleapis.com/token")) {
                return false;
            }
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(key);
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return rsa.verify(Base64.getUrlDecoder().decode(parts[2]));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
