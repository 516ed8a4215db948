package dev.mldev.cost;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mldev.Failures;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the price table file format (the built-in {@code prices.json}, {@code --prices FILE}, and the
 * cache written by {@code mldev prices refresh}). Prices are decimal strings or numbers, read exactly.
 */
public final class PriceTableJson {
    static final int SCHEMA = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private PriceTableJson() {}

    /** Reads a table; {@code origin} names the file in error messages and in the table. */
    public static PriceTable read(InputStream in, String origin) throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(in);
        } catch (IOException e) {
            throw invalid(origin, "not JSON (" + Failures.firstLine(e.getMessage()) + ")");
        }
        if (root == null || !root.isObject()) {
            throw invalid(origin, "not a JSON object");
        }
        int schema = root.path("schema").asInt(-1);
        if (schema != SCHEMA) {
            throw invalid(origin, "schema " + root.path("schema") + " is not " + SCHEMA);
        }
        if (!"USD".equals(root.path("currency").asText("USD"))) {
            throw invalid(origin, "currency " + root.path("currency").asText() + " is not USD");
        }
        LocalDate asOf;
        try {
            asOf = LocalDate.parse(root.path("as_of").asText(""));
        } catch (DateTimeParseException e) {
            throw invalid(
                    origin,
                    "as_of must be a date like 2026-11-28, not '"
                            + root.path("as_of").asText() + "'");
        }
        BigDecimal markup = root.has("vertex_markup")
                ? decimal(root.get("vertex_markup"), origin, "vertex_markup")
                : BigDecimal.ONE;
        List<String> assumptions = new ArrayList<>();
        root.path("assumptions").forEach(a -> assumptions.add(a.asText()));
        JsonNode regionsNode = root.path("regions");
        if (!regionsNode.isObject() || regionsNode.isEmpty()) {
            throw invalid(origin, "no \"regions\" object with at least one region");
        }
        String source = root.path("source").asText("unknown");
        Map<String, PriceTable.RegionPrices> regions = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = regionsNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> region = it.next();
            String where = "regions." + region.getKey();
            regions.put(
                    region.getKey(),
                    new PriceTable.RegionPrices(
                            prices(region.getValue().path("machines"), origin, where + ".machines", false, source),
                            prices(
                                    region.getValue().path("accelerators"),
                                    origin,
                                    where + ".accelerators",
                                    true,
                                    source),
                            prices(region.getValue().path("cloud_run"), origin, where + ".cloud_run", false, source)));
        }
        return new PriceTable(asOf, source, origin, markup, assumptions, regions);
    }

    public static PriceTable read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw dev.mldev.MldevException.usage(
                    "price file " + file + " does not exist",
                    "pass a JSON price table (see 'mldev prices show --json' for the format)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /** Writes a table atomically (a temporary file moved into place), so a failed refresh leaves the old one. */
    public static void write(PriceTable table, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".prices", ".json");
        try {
            MAPPER.writeValue(temporary.toFile(), toJson(table));
            Files.move(
                    temporary,
                    file,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** The table in its file format, as text. */
    public static String text(PriceTable table) {
        return toJson(table).toPrettyString();
    }

    static ObjectNode toJson(PriceTable table) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("as_of", table.asOf().toString());
        root.put("currency", "USD");
        root.put("source", table.source());
        root.put("vertex_markup", table.vertexMarkup().toPlainString());
        table.assumptions().forEach(root.putArray("assumptions")::add);
        ObjectNode regions = root.putObject("regions");
        new TreeMap<>(table.regions()).forEach((name, prices) -> {
            ObjectNode region = regions.putObject(name);
            ObjectNode machines = region.putObject("machines");
            new TreeMap<>(prices.machines()).forEach((k, v) -> machines.set(k, row(v)));
            ObjectNode accelerators = region.putObject("accelerators");
            new TreeMap<>(prices.accelerators()).forEach((k, v) -> accelerators.set(k, row(v)));
            if (!prices.cloudRun().isEmpty()) {
                ObjectNode cloudRun = region.putObject("cloud_run");
                new TreeMap<>(prices.cloudRun()).forEach((k, v) -> cloudRun.set(k, row(v)));
            }
        });
        return root;
    }

    private static ObjectNode row(Price price) {
        ObjectNode row = MAPPER.createObjectNode().put("price", price.perHour().toPlainString());
        row.put("basis", price.basis().name().toLowerCase(java.util.Locale.ROOT));
        return row.put("source", price.source());
    }

    /**
     * Rows are {@code {"price": "0.35", "basis": "compute_engine" | "vertex_ai", "source": "..."}}; a bare price
     * (the older format) is a Compute Engine price from the table's {@code source}.
     */
    private static Map<String, Price> prices(
            JsonNode node, String origin, String where, boolean accelerators, String tableSource) {
        Map<String, Price> prices = new LinkedHashMap<>();
        if (node.isMissingNode()) {
            return prices;
        }
        if (!node.isObject()) {
            throw invalid(origin, where + " must be an object of name to price per hour");
        }
        node.fields()
                .forEachRemaining(e -> prices.put(
                        accelerators ? Accelerators.normalize(e.getKey()) : e.getKey(),
                        price(e.getValue(), origin, where + "." + e.getKey(), tableSource)));
        return prices;
    }

    private static Price price(JsonNode node, String origin, String where, String tableSource) {
        if (!node.isObject()) {
            return new Price(decimal(node, origin, where), Price.Basis.COMPUTE_ENGINE, tableSource);
        }
        String basis = node.path("basis").asText("compute_engine");
        Price.Basis parsed = switch (basis) {
            case "compute_engine" -> Price.Basis.COMPUTE_ENGINE;
            case "vertex_ai" -> Price.Basis.VERTEX_AI;
            case "cloud_run" -> Price.Basis.CLOUD_RUN;
            default ->
                throw invalid(
                        origin, where + ".basis must be compute_engine, vertex_ai or cloud_run, not '" + basis + "'");
        };
        return new Price(
                decimal(node.path("price"), origin, where + ".price"),
                parsed,
                node.path("source").asText(tableSource));
    }

    private static BigDecimal decimal(JsonNode node, String origin, String where) {
        BigDecimal value = null;
        if (node.isNumber()) {
            value = node.decimalValue();
        } else if (node.isTextual()) {
            try {
                value = new BigDecimal(node.asText().trim());
            } catch (NumberFormatException e) {
                value = null;
            }
        }
        if (value == null || value.signum() < 0) {
            throw invalid(origin, where + " must be a price in USD per hour, not " + node);
        }
        return value;
    }

    private static dev.mldev.MldevException invalid(String origin, String what) {
        return dev.mldev.MldevException.usage(
                "price file " + origin + ": " + what, "fix the file, or see 'mldev prices show --json' for the format");
    }
}
