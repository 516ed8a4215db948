package dev.mldev.cloud;

import dev.mldev.MldevException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificate authorities to trust instead of the JVM's, read from a PEM file (gcloud's
 * {@code CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE}: corporate TLS proxies, or a local fake of Google Cloud).
 */
public final class CustomCa {
    private final Path pemFile;
    private final KeyStore trustStore;

    private CustomCa(Path pemFile, KeyStore trustStore) {
        this.pemFile = pemFile;
        this.trustStore = trustStore;
    }

    public static CustomCa load(Path pemFile) {
        try (InputStream in = Files.newInputStream(pemFile)) {
            Collection<? extends Certificate> certificates =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new GeneralSecurityException("no certificate in it");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            return new CustomCa(pemFile, store);
        } catch (IOException | GeneralSecurityException e) {
            throw MldevException.usage(
                    "cannot read the CA certificates in " + pemFile + ": " + e.getMessage(),
                    "point " + CloudEndpoints.CA_FILE + " at a PEM file of certificates, or unset it");
        }
    }

    public Path pemFile() {
        return pemFile;
    }

    public KeyStore trustStore() {
        return trustStore;
    }

    public SSLContext sslContext() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trustStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context from " + pemFile, e);
        }
    }
}
