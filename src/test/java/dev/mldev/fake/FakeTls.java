package dev.mldev.fake;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed certificate for 127.0.0.1, made once per test JVM with the JDK's keytool: the fakes serve TLS
 * with it (gRPC credentials are only sent over TLS) and clients trust its PEM through
 * CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE.
 */
public final class FakeTls {
    private static final char[] PASSWORD = "fake-cloud".toCharArray();
    private static FakeTls instance;

    private final Path keyStoreFile;
    private final Path caPem;

    private FakeTls(Path keyStoreFile, Path caPem) {
        this.keyStoreFile = keyStoreFile;
        this.caPem = caPem;
    }

    public static synchronized FakeTls get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory("mldev-fake-tls-");
                dir.toFile().deleteOnExit();
                Path store = dir.resolve("fake.p12");
                Path pem = dir.resolve("ca.pem");
                keytool(
                        "-genkeypair",
                        "-alias",
                        "fake",
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-validity",
                        "2",
                        "-dname",
                        "CN=127.0.0.1",
                        "-ext",
                        "SAN=ip:127.0.0.1,dns:localhost",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        store.toString(),
                        "-storepass",
                        new String(PASSWORD),
                        "-keypass",
                        new String(PASSWORD));
                keytool(
                        "-exportcert",
                        "-rfc",
                        "-alias",
                        "fake",
                        "-keystore",
                        store.toString(),
                        "-storepass",
                        new String(PASSWORD),
                        "-file",
                        pem.toString());
                store.toFile().deleteOnExit();
                pem.toFile().deleteOnExit();
                instance = new FakeTls(store, pem);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** The PEM the clients must trust. */
    public Path caPem() {
        return caPem;
    }

    public KeyManagerFactory keyManagers() {
        try (InputStream in = Files.newInputStream(keyStoreFile)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD);
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, PASSWORD);
            return factory;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public SSLContext serverContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers().getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void keytool(String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (process.waitFor() != 0) {
                throw new IOException("keytool failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
