package dev.mldev.cost.vertex;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The regions {@code mldev status --all-regions} looks in (resource file {@code vertex-regions.txt}). */
public final class VertexRegions {
    private static final String RESOURCE = "/dev/mldev/cost/vertex-regions.txt";

    private VertexRegions() {}

    public static List<String> all() {
        try (InputStream in = VertexRegions.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("region list missing from the class path: " + RESOURCE);
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .lines()
                    .map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
