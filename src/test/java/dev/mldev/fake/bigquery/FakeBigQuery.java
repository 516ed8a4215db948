package dev.mldev.fake.bigquery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * BigQuery's REST API ({@code jobs.query}) on loopback HTTP, holding one Cloud Billing export table. It answers the
 * spend query mldev sends: rows of the named table filtered by the {@code @project} and {@code @since} parameters,
 * grouped by service with credits added, most first. A query on another table is refused as BigQuery does (404).
 */
public final class FakeBigQuery implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern FROM = Pattern.compile("FROM `([^`]+)`");

    /** One line of the export: a service's cost (and credits, negative) for usage starting at a time. */
    public record ExportRow(String project, String service, Instant usageStart, String cost, String credits) {}

    private final String table;
    private final List<ExportRow> rows = new CopyOnWriteArrayList<>();
    private final List<JsonNode> queries = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    public FakeBigQuery(String table) throws IOException {
        this.table = table;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    public void add(ExportRow row) {
        rows.add(row);
    }

    /** The query requests received (their JSON bodies). */
    public List<JsonNode> queries() {
        return List.copyOf(queries);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            Matcher query =
                    Pattern.compile("/bigquery/v2/projects/([^/]+)/queries").matcher(path);
            if (!"POST".equals(exchange.getRequestMethod()) || !query.matches()) {
                send(
                        exchange,
                        404,
                        error(
                                404,
                                "notFound",
                                "No such method in this fake: " + exchange.getRequestMethod() + " " + path));
                return;
            }
            // Google's HTTP client gzips request bodies
            boolean gzip = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"));
            JsonNode request = MAPPER.readTree(
                    gzip ? new java.util.zip.GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody());
            queries.add(request);
            Matcher from = FROM.matcher(request.path("query").asText());
            if (!from.find() || !from.group(1).equals(table)) {
                send(
                        exchange,
                        404,
                        error(
                                404,
                                "notFound",
                                "Not found: Table " + (from.find(0) ? from.group(1) : "?")
                                        + " was not found in location US"));
                return;
            }
            send(exchange, 200, answer(query.group(1), request));
        } catch (RuntimeException e) {
            send(exchange, 400, error(400, "invalidQuery", "fake BigQuery cannot answer: " + e));
        }
    }

    private ObjectNode answer(String jobProject, JsonNode request) {
        String project = parameter(request, "project");
        Instant since = Instant.parse(parameter(request, "since")
                .replace(' ', 'T')
                .replaceFirst("(\\+00(:00)?| UTC)?$", "Z")
                .replace("ZZ", "Z"));
        Map<String, BigDecimal> byService = new TreeMap<>();
        for (ExportRow row : rows) {
            if (row.project().equals(project) && !row.usageStart().isBefore(since)) {
                byService.merge(
                        row.service(), new BigDecimal(row.cost()).add(new BigDecimal(row.credits())), BigDecimal::add);
            }
        }
        List<Map.Entry<String, BigDecimal>> sorted = new ArrayList<>(byService.entrySet());
        sorted.sort(Map.Entry.<String, BigDecimal>comparingByValue().reversed());
        ObjectNode response = MAPPER.createObjectNode();
        response.put("kind", "bigquery#queryResponse");
        ObjectNode schema = response.putObject("schema");
        ArrayNode fields = schema.putArray("fields");
        fields.addObject().put("name", "service").put("type", "STRING").put("mode", "NULLABLE");
        fields.addObject().put("name", "currency").put("type", "STRING").put("mode", "NULLABLE");
        fields.addObject().put("name", "cost").put("type", "FLOAT").put("mode", "NULLABLE");
        response.putObject("jobReference")
                .put("projectId", jobProject)
                .put("jobId", "fake-job-1")
                .put("location", "US");
        response.put("totalRows", Integer.toString(sorted.size()));
        ArrayNode out = response.putArray("rows");
        for (Map.Entry<String, BigDecimal> e : sorted) {
            ArrayNode f = out.addObject().putArray("f");
            f.addObject().put("v", e.getKey());
            f.addObject().put("v", "USD");
            f.addObject().put("v", e.getValue().toPlainString());
        }
        response.put("jobComplete", true);
        response.put("cacheHit", false);
        return response;
    }

    private static String parameter(JsonNode request, String name) {
        for (JsonNode p : request.path("queryParameters")) {
            if (name.equals(p.path("name").asText())) {
                return p.path("parameterValue").path("value").asText();
            }
        }
        throw new IllegalArgumentException("query parameter @" + name + " missing");
    }

    private static ObjectNode error(int code, String reason, String message) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("code", code).put("message", message);
        error.putArray("errors").addObject().put("reason", reason).put("message", message);
        error.put("status", code == 404 ? "NOT_FOUND" : "INVALID_ARGUMENT");
        return root;
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        // the exchange is closed by closing its response body below
        byte[] bytes = MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
