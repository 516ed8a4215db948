package dev.mldev.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Reads images back from a registry over the Docker Registry HTTP API v2, as a pulling client would. */
final class RegistryHttp {
    /** Without these in Accept, registry 2.8 converts a v2 manifest to the old schema 1. */
    static final String MANIFEST_TYPES =
            "application/vnd.docker.distribution.manifest.v2+json, " + "application/vnd.oci.image.manifest.v1+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    RegistryHttp(URI base) {
        this.base = base;
    }

    /** A manifest with the digest the registry reports for it. */
    record Manifest(String digest, String mediaType, JsonNode json) {
        JsonNode layers() {
            return json.get("layers");
        }

        String layerDigest(int index) {
            return layers().get(index).get("digest").asText();
        }

        String configDigest() {
            return json.get("config").get("digest").asText();
        }
    }

    Manifest manifest(String repository, String reference) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = get("/v2/" + repository + "/manifests/" + reference, MANIFEST_TYPES);
        return new Manifest(
                response.headers().firstValue("Docker-Content-Digest").orElseThrow(),
                response.headers().firstValue("Content-Type").orElseThrow(),
                JSON.readTree(response.body()));
    }

    JsonNode config(String repository, Manifest manifest) throws IOException, InterruptedException {
        return JSON.readTree(blob(repository, manifest.configDigest()));
    }

    byte[] blob(String repository, String digest) throws IOException, InterruptedException {
        return get("/v2/" + repository + "/blobs/" + digest, "*/*").body();
    }

    /** The entries of a gzipped layer: path (without a leading slash) to its tar header. */
    Map<String, TarArchiveEntry> layerEntries(String repository, String digest)
            throws IOException, InterruptedException {
        return tarEntries(new GZIPInputStream(new ByteArrayInputStream(blob(repository, digest))));
    }

    static Map<String, TarArchiveEntry> tarEntries(InputStream in) throws IOException {
        Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                entries.put(entry.getName().replaceFirst("^/", ""), entry);
            }
        }
        return entries;
    }

    private HttpResponse<byte[]> get(String path, String accept) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .header("Accept", accept)
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException(
                    "GET " + path + " answered " + response.statusCode() + ": " + new String(response.body()));
        }
        return response;
    }
}
