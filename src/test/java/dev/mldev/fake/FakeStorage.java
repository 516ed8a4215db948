package dev.mldev.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.rpc.Code;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Cloud Storage's JSON API, the part google-cloud-storage and serve's reader use for objects: get (metadata and
 * alt=media), list by prefix (in pages of maxResults, at most 1000), delete, and resumable uploads (a session, then PUTs with Content-Range). Buckets must be
 * made with {@link #createBucket} first, as on Google Cloud.
 */
public final class FakeStorage {
    private static final Pattern OBJECT_PATH = Pattern.compile("(?:/download)?/storage/v1/b/([^/]+)/o(?:/(.+))?");
    private static final Pattern UPLOAD_PATH = Pattern.compile("/upload/storage/v1/b/([^/]+)/o");
    /** The most items a list page holds, and its size when the request names none. */
    static final int MAX_PAGE_SIZE = 1000;

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\*|(\\d+)-(\\d+))/(\\*|\\d+)");

    public record StoredObject(byte[] bytes, String contentType, long generation, Instant created) {}

    private record Session(String bucket, String name, String contentType, ByteArrayOutputStream data) {}

    private final Map<String, NavigableMap<String, StoredObject>> buckets = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicLong generations = new AtomicLong(1_700_000_000_000_000L);
    private final AtomicLong uploadRequests = new AtomicLong();
    private String baseUrl;

    public void createBucket(String bucket) {
        buckets.putIfAbsent(bucket, new TreeMap<>());
    }

    /** The objects of a bucket by name (a copy). */
    public synchronized Map<String, StoredObject> objects(String bucket) {
        return Map.copyOf(bucket(bucket));
    }

    public synchronized void put(String bucket, String name, byte[] bytes) {
        bucket(bucket)
                .put(
                        name,
                        new StoredObject(
                                bytes, "application/octet-stream", generations.incrementAndGet(), Instant.now()));
    }

    /** How many upload requests (session starts and data PUTs) have arrived: 0 more means nothing was sent. */
    public long uploadRequests() {
        return uploadRequests.get();
    }

    void mount(FakeHttps https) {
        baseUrl = https.baseUrl();
        https.route("/storage/v1/b/", this::faultName, this::objectsApi);
        https.route("/download/storage/v1/b/", this::faultName, this::objectsApi);
        https.route("/upload/storage/v1/b/", exchange -> "storage/upload", this::uploadApi);
    }

    private String faultName(HttpExchange exchange) {
        Matcher m = OBJECT_PATH.matcher(exchange.getRequestURI().getRawPath());
        String method = exchange.getRequestMethod();
        if (m.matches() && m.group(2) == null) {
            return "storage/list";
        }
        if ("DELETE".equals(method)) {
            return "storage/delete";
        }
        return query(exchange, "alt").equals("media") ? "storage/download" : "storage/get";
    }

    private synchronized void objectsApi(HttpExchange exchange) throws IOException {
        Matcher m = OBJECT_PATH.matcher(exchange.getRequestURI().getRawPath());
        if (!m.matches()) {
            throw new FakeHttps.HttpError(Code.NOT_FOUND, "Not Found");
        }
        NavigableMap<String, StoredObject> bucket = bucket(m.group(1));
        if (m.group(2) == null) {
            FakeHttps.send(exchange, 200, list(exchange, m.group(1), bucket).toString());
            return;
        }
        String name = URLDecoder.decode(m.group(2), StandardCharsets.UTF_8);
        StoredObject object = bucket.get(name);
        if (object == null) {
            throw new FakeHttps.HttpError(Code.NOT_FOUND, "No such object: " + m.group(1) + "/" + name);
        }
        switch (exchange.getRequestMethod()) {
            case "DELETE" -> {
                bucket.remove(name);
                exchange.sendResponseHeaders(204, -1);
            }
            case "GET" -> {
                if (query(exchange, "alt").equals("media")) {
                    exchange.getResponseHeaders().set("Content-Type", object.contentType());
                    exchange.sendResponseHeaders(200, object.bytes().length == 0 ? -1 : object.bytes().length);
                    exchange.getResponseBody().write(object.bytes());
                } else {
                    FakeHttps.send(
                            exchange, 200, metadata(m.group(1), name, object).toString());
                }
            }
            default -> throw new FakeHttps.HttpError(Code.UNIMPLEMENTED, exchange.getRequestMethod() + " is not faked");
        }
    }

    /**
     * One page of a list by prefix, as the JSON API answers it: at most {@code maxResults} items (at most 1000, the
     * default), and an opaque {@code nextPageToken} while more names follow.
     */
    private static ObjectNode list(
            HttpExchange exchange, String bucketName, NavigableMap<String, StoredObject> bucket) {
        String prefix = query(exchange, "prefix");
        int pageSize = maxResults(query(exchange, "maxResults"));
        String pageToken = query(exchange, "pageToken");
        NavigableMap<String, StoredObject> from = pageToken.isEmpty()
                ? bucket.tailMap(prefix, true)
                : bucket.tailMap(new String(Base64.getUrlDecoder().decode(pageToken), StandardCharsets.UTF_8), false);
        List<Map.Entry<String, StoredObject>> matching = from.entrySet().stream()
                .takeWhile(e -> e.getKey().startsWith(prefix))
                .limit(pageSize + 1L)
                .toList();
        ObjectNode list = FakeHttps.JSON.createObjectNode().put("kind", "storage#objects");
        ArrayNode items = list.putArray("items");
        matching.stream().limit(pageSize).forEach(e -> items.add(metadata(bucketName, e.getKey(), e.getValue())));
        if (matching.size() > pageSize) {
            String last = matching.get(pageSize - 1).getKey();
            list.put("nextPageToken", Base64.getUrlEncoder().encodeToString(last.getBytes(StandardCharsets.UTF_8)));
        }
        return list;
    }

    private static int maxResults(String value) {
        if (value.isEmpty()) {
            return MAX_PAGE_SIZE;
        }
        try {
            int asked = Integer.parseInt(value);
            if (asked >= 1) {
                return Math.min(asked, MAX_PAGE_SIZE);
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new FakeHttps.HttpError(Code.INVALID_ARGUMENT, "Invalid argument for maxResults: " + value);
    }

    private synchronized void uploadApi(HttpExchange exchange) throws IOException {
        uploadRequests.incrementAndGet();
        String uploadId = query(exchange, "upload_id");
        if (uploadId.isEmpty()) {
            startSession(exchange);
            return;
        }
        Session session = sessions.get(uploadId);
        if (session == null) {
            throw new FakeHttps.HttpError(Code.NOT_FOUND, "No such upload session: " + uploadId);
        }
        byte[] body = exchange.getRequestBody().readAllBytes();
        String range = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Range"));
        Matcher m = CONTENT_RANGE.matcher(range);
        if (!m.matches()) {
            throw new FakeHttps.HttpError(Code.INVALID_ARGUMENT, "bad Content-Range: " + range);
        }
        if (m.group(2) != null) {
            long start = Long.parseLong(m.group(2));
            if (start > session.data.size()) {
                throw new FakeHttps.HttpError(
                        Code.INVALID_ARGUMENT, "upload starts at " + start + " after " + session.data.size());
            }
            byte[] kept = session.data.toByteArray();
            session.data.reset();
            session.data.write(kept, 0, (int) start);
            session.data.write(body);
        }
        long size = session.data.size();
        if (!m.group(4).equals("*") && Long.parseLong(m.group(4)) == size) {
            sessions.remove(uploadId);
            StoredObject object = new StoredObject(
                    session.data.toByteArray(), session.contentType, generations.incrementAndGet(), Instant.now());
            bucket(session.bucket).put(session.name, object);
            FakeHttps.send(
                    exchange,
                    200,
                    metadata(session.bucket, session.name, object).toString());
            return;
        }
        if (size > 0) {
            exchange.getResponseHeaders().set("Range", "bytes=0-" + (size - 1));
        }
        exchange.sendResponseHeaders(308, -1);
    }

    private void startSession(HttpExchange exchange) throws IOException {
        Matcher m = UPLOAD_PATH.matcher(exchange.getRequestURI().getRawPath());
        if (!m.matches() || !"resumable".equals(query(exchange, "uploadType"))) {
            throw new FakeHttps.HttpError(Code.UNIMPLEMENTED, "only resumable uploads are faked");
        }
        bucket(m.group(1));
        byte[] body = exchange.getRequestBody().readAllBytes();
        JsonNode metadata = body.length == 0 ? FakeHttps.JSON.createObjectNode() : FakeHttps.JSON.readTree(body);
        String name = metadata.path("name").asText(query(exchange, "name"));
        String id = UUID.randomUUID().toString();
        sessions.put(
                id,
                new Session(
                        m.group(1),
                        name,
                        metadata.path("contentType").asText("application/octet-stream"),
                        new ByteArrayOutputStream()));
        exchange.getResponseHeaders()
                .set(
                        "Location",
                        baseUrl + "/upload/storage/v1/b/" + m.group(1) + "/o?uploadType=resumable&upload_id=" + id);
        exchange.sendResponseHeaders(200, -1);
    }

    private NavigableMap<String, StoredObject> bucket(String name) {
        NavigableMap<String, StoredObject> bucket = buckets.get(name);
        if (bucket == null) {
            throw new FakeHttps.HttpError(Code.NOT_FOUND, "The specified bucket does not exist.");
        }
        return bucket;
    }

    private static ObjectNode metadata(String bucket, String name, StoredObject object) {
        CRC32C crc = new CRC32C();
        crc.update(object.bytes());
        byte[] crcBytes = ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
        return FakeHttps.JSON
                .createObjectNode()
                .put("kind", "storage#object")
                .put("id", bucket + "/" + name + "/" + object.generation())
                .put("name", name)
                .put("bucket", bucket)
                .put("generation", String.valueOf(object.generation()))
                .put("metageneration", "1")
                .put("contentType", object.contentType())
                .put("size", String.valueOf(object.bytes().length))
                .put("md5Hash", Base64.getEncoder().encodeToString(md5(object.bytes())))
                .put("crc32c", Base64.getEncoder().encodeToString(crcBytes))
                .put("timeCreated", object.created().toString())
                .put("updated", object.created().toString());
    }

    private static byte[] md5(byte[] bytes) {
        try {
            return MessageDigest.getInstance("MD5").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String query(HttpExchange exchange, String key) {
        String raw = exchange.getRequestURI().getRawQuery();
        return raw == null ? "" : FakeHttps.parseForm(raw).getOrDefault(key, "");
    }
}
