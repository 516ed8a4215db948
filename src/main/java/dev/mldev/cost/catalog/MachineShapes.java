package dev.mldev.cost.catalog;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * vCPUs and memory of the machine types mldev prices, and the Compute Engine SKU family that bills their cores
 * and RAM (resource file {@code machine-shapes.json}). The catalog prices per vCPU hour and per GiB hour; a
 * machine type's price is vCPUs x core price + memory x RAM price.
 */
public final class MachineShapes {
    private static final String RESOURCE = "/dev/mldev/cost/machine-shapes.json";

    /** One machine type: SKU family ("N1", "G2", "A2", "A3"), vCPUs, memory in GiB. */
    public record Shape(String family, int vcpus, BigDecimal memoryGb) {}

    private MachineShapes() {}

    public static Map<String, Shape> load() {
        try (InputStream in = MachineShapes.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("machine shapes missing from the class path: " + RESOURCE);
            }
            JsonNode machines = new ObjectMapper()
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .readTree(in)
                    .path("machines");
            Map<String, Shape> shapes = new LinkedHashMap<>();
            machines.fields()
                    .forEachRemaining(e -> shapes.put(
                            e.getKey(),
                            new Shape(
                                    e.getValue().path("family").asText(),
                                    e.getValue().path("vcpus").asInt(),
                                    new BigDecimal(
                                            e.getValue().path("memory_gb").asText()))));
            return shapes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
