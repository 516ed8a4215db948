package dev.mldev.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.auth.oauth2.GoogleCredentials;
import dev.mldev.Environment;
import dev.mldev.Failures;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reads objects through Cloud Storage's JSON API over the JDK's HTTP client: lists the names under a prefix (page
 * by page, following {@code nextPageToken}) and downloads an object ({@code alt=media}) into a file as it streams.
 * For {@code serve}, so that the serving image carries neither the storage client library nor its gRPC, gax and
 * protobuf jars; the other commands use the client library ({@link StorageClients}). 429, 5xx and broken
 * connections are retried with {@link Backoff}; any other answer fails at once with the server's message.
 */
public final class GcsObjectReader {
    /** The most names the JSON API returns in one page of a list (its default). */
    public static final int MAX_PAGE_SIZE = 1000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_ATTEMPTS = 5;

    private final HttpClient http;
    private final String baseUrl;
    private final Supplier<String> accessToken;
    private final int pageSize;

    /**
     * @param baseUrl scheme, host and port of the JSON API ({@link CloudEndpoints#storageHost()})
     * @param accessToken a current OAuth access token for each request
     * @param pageSize {@code maxResults} of each list request, 1 to {@link #MAX_PAGE_SIZE}
     */
    public GcsObjectReader(HttpClient http, String baseUrl, Supplier<String> accessToken, int pageSize) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.accessToken = accessToken;
        this.pageSize = pageSize;
    }

    /** Through Application Default Credentials and the endpoints and CA of {@link CloudEndpoints}. */
    public static GcsObjectReader withDefaultCredentials(Environment env, int pageSize) {
        CloudEndpoints endpoints = CloudEndpoints.from(env);
        GoogleCredentials credentials = AdcCredentials.load(env, endpoints);
        return new GcsObjectReader(
                endpoints.httpClient(),
                endpoints.storageHost(),
                () -> AdcCredentials.accessToken(credentials),
                pageSize);
    }

    /** The names of every object in the bucket whose name starts with {@code prefix}, in name order. */
    public List<String> list(String bucket, String prefix) throws IOException {
        List<String> names = new ArrayList<>();
        String pageToken = "";
        do {
            String query = "?prefix=" + encode(prefix) + "&maxResults=" + pageSize
                    + (pageToken.isEmpty() ? "" : "&pageToken=" + encode(pageToken));
            URI uri = URI.create(baseUrl + "/storage/v1/b/" + encode(bucket) + "/o" + query);
            JsonNode page = withRetries(() -> {
                try (InputStream body = send(uri)) {
                    return JSON.readTree(body);
                }
            });
            page.path("items").forEach(item -> names.add(item.path("name").asText()));
            pageToken = page.path("nextPageToken").asText("");
        } while (!pageToken.isEmpty());
        return names;
    }

    /** Writes the object's bytes to {@code target} (replacing it) as they arrive, never all in memory. */
    public void download(String bucket, String name, Path target) throws IOException {
        URI uri = URI.create(baseUrl + "/storage/v1/b/" + encode(bucket) + "/o/" + encode(name) + "?alt=media");
        withRetries(() -> {
            try (InputStream body = send(uri);
                    OutputStream file = Files.newOutputStream(target)) {
                copy(body, file);
            }
            return null;
        });
    }

    /** The answer's body when it is a 200; a {@link Transient} or plain IOException naming the status otherwise. */
    private InputStream send(URI uri) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + accessToken.get())
                .GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + uri.getPath());
        } catch (IOException e) {
            throw new Transient("cannot reach " + baseUrl + ": " + Failures.firstLine(e), e);
        }
        int status = response.statusCode();
        if (status == 200) {
            return response.body();
        }
        String message;
        try (InputStream body = response.body()) {
            message = "HTTP " + status + ": " + errorMessage(new String(body.readAllBytes(), StandardCharsets.UTF_8));
        }
        throw status == 429 || status >= 500 ? new Transient(message, null) : new IOException(message);
    }

    /** Copies the body to the file; the network side breaking off is transient, the file side is not. */
    private static void copy(InputStream body, OutputStream file) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        while (true) {
            int read;
            try {
                read = body.read(buffer);
            } catch (IOException e) {
                throw new Transient("the download broke off: " + Failures.firstLine(e), e);
            }
            if (read < 0) {
                return;
            }
            file.write(buffer, 0, read);
        }
    }

    /** Google's error body ({@code {"error": {"message"}}}) says what is wrong; anything else is shown short. */
    private static String errorMessage(String body) {
        try {
            JsonNode message = JSON.readTree(body).path("error").path("message");
            if (message.isTextual()) {
                return message.asText();
            }
        } catch (IOException notJson) {
            // shown as it is, below
        }
        String line = body.strip().lines().findFirst().orElse("(no message)");
        return line.length() > 300 ? line.substring(0, 300) : line;
    }

    private interface Call<T> {
        T run() throws IOException;
    }

    private static <T> T withRetries(Call<T> call) throws IOException {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(16), 2.0);
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (Transient e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw new IOException(e.getMessage() + " (" + attempt + " attempts)", e.getCause());
                }
            }
            Backoff.sleep(backoff.nextDelay());
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A failure worth another attempt: 429, 5xx, or the connection failing. */
    private static final class Transient extends IOException {
        Transient(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
