package dev.mldev.cost;

import dev.mldev.Environment;
import dev.mldev.MldevException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which price table is in force: {@code --prices FILE} when given, else the one {@code mldev prices refresh} wrote
 * to the cache, else the table built into mldev.
 */
public final class PriceTables {
    static final String BUILT_IN = "/dev/mldev/cost/prices.json";
    private static final String CACHE_FILE = "prices.json";

    private PriceTables() {}

    /** The table to use; {@code override} is the {@code --prices} file or null. */
    public static PriceTable load(Environment env, Path override) {
        try {
            if (override != null) {
                return PriceTableJson.read(override);
            }
            Path cached = cacheFile(env);
            if (Files.isRegularFile(cached)) {
                return PriceTableJson.read(cached);
            }
            return builtIn();
        } catch (IOException e) {
            throw MldevException.failure(
                    "cannot read prices: " + e.getMessage(),
                    "check the file's permissions, or pass another with --prices");
        }
    }

    /** The table shipped with mldev. */
    public static PriceTable builtIn() {
        try (InputStream in = PriceTables.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("built-in price table missing from the class path: " + BUILT_IN);
            }
            return PriceTableJson.read(in, "built-in");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where {@code mldev prices refresh} writes the catalog prices. */
    public static Path cacheFile(Environment env) {
        return env.cacheDir().resolve(CACHE_FILE);
    }
}
