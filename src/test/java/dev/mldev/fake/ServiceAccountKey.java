package dev.mldev.fake;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** A service account made for one test: an RSA key pair and the key file, whose token_uri points at the fake. */
public final class ServiceAccountKey {
    private final String email;
    private final String keyId;
    private final KeyPair keys;

    private ServiceAccountKey(String email, String keyId, KeyPair keys) {
        this.email = email;
        this.keyId = keyId;
        this.keys = keys;
    }

    public static ServiceAccountKey generate(String project) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return new ServiceAccountKey(
                    "mldev-test@" + project + ".iam.gserviceaccount.com",
                    UUID.randomUUID().toString().replace("-", ""),
                    generator.generateKeyPair());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String email() {
        return email;
    }

    public RSAPublicKey publicKey() {
        return (RSAPublicKey) keys.getPublic();
    }

    /** The private key as it appears in the JSON file: a secret no output may contain. */
    public String privateKeyPem() {
        String body = Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(keys.getPrivate().getEncoded());
        return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
    }

    /** Writes the key file gcloud would download ({@code gcloud iam service-accounts keys create}). */
    public Path writeJson(Path file, String project, String tokenUri) {
        Map<String, String> json = new LinkedHashMap<>();
        json.put("type", "service_account");
        json.put("project_id", project);
        json.put("private_key_id", keyId);
        json.put("private_key", privateKeyPem());
        json.put("client_email", email);
        json.put("client_id", "1234567890");
        json.put("auth_uri", "https://accounts.google.com/o/oauth2/auth");
        json.put("token_uri", tokenUri);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, new ObjectMapper().writeValueAsString(json));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
