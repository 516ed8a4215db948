package dev.mldev.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mldev.FileTrees;
import dev.mldev.Json;
import dev.mldev.MldevException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The deployments mldev knows of: one JSON file each under {@code STATE_DIR/deployments/}, and a directory of
 * the deployment's own files beside it. A record that cannot be read affects only its own deployment.
 */
public final class DeploymentStore {
    /** Records are written in the style of --json output. */
    private static final ObjectMapper JSON = Json.MAPPER;

    private static final String RECORD = ".json";

    private final Path dir;

    public DeploymentStore(Path stateDir) {
        this.dir = stateDir.resolve("deployments");
    }

    /** Where a deployment may keep files of its own (logs, its lock). */
    public Path workDir(String name) {
        return dir.resolve(pathSafe(name) + ".d");
    }

    /** Holds off every other mldev that changes this deployment until closed; waits up to {@code wait} for one. */
    public DeploymentLock lock(String name, Duration wait, Consumer<String> waiting) {
        return DeploymentLock.acquire(workDir(name).resolve("lock"), name, wait, waiting);
    }

    public void save(DeploymentRecord record) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(pathSafe(record.name()) + RECORD + ".tmp");
            JSON.writeValue(tmp.toFile(), record);
            Files.move(tmp, file(record.name()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The record, or empty when there is none; throws {@link UnreadableRecord} when there is one that cannot be read. */
    public Optional<DeploymentRecord> find(String name) {
        Path file = file(name);
        return Files.isRegularFile(file) ? Optional.of(read(file, name)) : Optional.empty();
    }

    /** The named deployment, or the only one, or the most recent one when name is null. */
    public DeploymentRecord resolve(String name) {
        if (name != null) {
            return find(name)
                    .orElseThrow(() -> MldevException.usage(
                            "no deployment named '" + name + "'",
                            "see 'mldev status' for the deployments mldev knows of"));
        }
        return list().stream()
                .max(Comparator.comparing(DeploymentRecord::createdAt))
                .orElseThrow(() -> MldevException.usage(
                        "no deployment to send to",
                        "deploy one with 'mldev deploy BUNDLE', or predict in-process with --local --model BUNDLE"));
    }

    /** The records that can be read; see {@link #unreadable()} for the others. */
    public List<DeploymentRecord> list() {
        List<DeploymentRecord> records = new ArrayList<>();
        for (Path file : recordFiles()) {
            try {
                records.add(read(file, nameOf(file)));
            } catch (UnreadableRecord skipped) {
                // listed by unreadable()
            }
        }
        return records;
    }

    /** One failure per record that cannot be read, each naming its deployment and how to remove it. */
    public List<UnreadableRecord> unreadable() {
        List<UnreadableRecord> failures = new ArrayList<>();
        for (Path file : recordFiles()) {
            try {
                read(file, nameOf(file));
            } catch (UnreadableRecord e) {
                failures.add(e);
            }
        }
        return failures;
    }

    /** Removes the record only: the deployment's own files (its last server's log) stay. */
    public void forget(String name) {
        try {
            Files.deleteIfExists(file(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the record and the deployment's own files. */
    public void remove(String name) {
        forget(name);
        try {
            FileTrees.delete(workDir(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Path> recordFiles() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(RECORD) && Files.isRegularFile(f))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DeploymentRecord read(Path file, String name) {
        DeploymentRecord record;
        try {
            record = JSON.readValue(file.toFile(), DeploymentRecord.class);
        } catch (JsonProcessingException e) {
            throw new UnreadableRecord(
                    name,
                    file,
                    "not a deployment record"
                            + (e.getLocation() == null
                                    ? ""
                                    : " at line " + e.getLocation().getLineNr() + ", column "
                                            + e.getLocation().getColumnNr())
                            + " (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new UnreadableRecord(name, file, e.toString());
        }
        if (record == null || !name.equals(record.name())) {
            throw new UnreadableRecord(name, file, record == null ? "it is empty" : "it names '" + record.name() + "'");
        }
        if (record.target() == null || record.createdAt() == null) {
            throw new UnreadableRecord(
                    name, file, "it lacks its " + (record.target() == null ? "target" : "creation time"));
        }
        return record;
    }

    private static String nameOf(Path file) {
        String fileName = file.getFileName().toString();
        return fileName.substring(0, fileName.length() - RECORD.length());
    }

    private Path file(String name) {
        return dir.resolve(pathSafe(name) + RECORD);
    }

    /**
     * New names follow {@link DeploymentName}; older records may have other names, so reading only insists on
     * what keeps the path inside the store.
     */
    private static String pathSafe(String name) {
        if (name == null
                || name.isBlank()
                || name.equals(".")
                || name.equals("..")
                || name.chars().anyMatch(c -> c == '/' || c == '\\' || c == 0)) {
            throw MldevException.usage(
                    "'" + name + "' cannot name a deployment",
                    "names are 1-40 lowercase letters, digits and hyphens, starting with a letter (see 'mldev status')");
        }
        return name;
    }
}
