package dev.mldev.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.mldev.MldevException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The deployments mldev knows of: one JSON file each under {@code STATE_DIR/deployments/}. */
public final class DeploymentStore {
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    public DeploymentStore(Path stateDir) {
        this.dir = stateDir.resolve("deployments");
    }

    /** Where a deployment may keep files of its own (logs, pid files). */
    public Path workDir(String name) {
        return dir.resolve(name + ".d");
    }

    public void save(DeploymentRecord record) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(record.name() + ".json.tmp");
            JSON.writeValue(tmp.toFile(), record);
            Files.move(tmp, file(record.name()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<DeploymentRecord> find(String name) {
        Path file = file(name);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), DeploymentRecord.class));
        } catch (IOException e) {
            throw MldevException.failure("cannot read deployment record " + file + ": " + e.getMessage(),
                    "remove the file and deploy again");
        }
    }

    /** The named deployment, or the only one, or the most recent one when name is null. */
    public DeploymentRecord resolve(String name) {
        if (name != null) {
            return find(name).orElseThrow(() -> MldevException.usage("no deployment named '" + name + "'",
                    "see 'mldev status' for the deployments mldev knows of"));
        }
        return list().stream().max(Comparator.comparing(DeploymentRecord::createdAt))
                .orElseThrow(() -> MldevException.usage("no deployment to send to",
                        "deploy one with 'mldev deploy BUNDLE', or predict in-process with --local --model BUNDLE"));
    }

    public List<DeploymentRecord> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<DeploymentRecord> records = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                String name = file.getFileName().toString().replaceFirst("\\.json$", "");
                find(name).ifPresent(records::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return records;
    }

    public void remove(String name) {
        try {
            Files.deleteIfExists(file(name));
            Path work = workDir(name);
            if (Files.isDirectory(work)) {
                try (Stream<Path> walk = Files.walk(work)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String name) {
        return dir.resolve(name + ".json");
    }
}
