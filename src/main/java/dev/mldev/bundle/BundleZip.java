package dev.mldev.bundle;

import dev.mldev.FileTrees;
import dev.mldev.MldevException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Unpacks a bundle .zip into a directory of its own under {@code CACHE/unpacked}, named after this process, and
 * removes it at exit. A directory left by a process that died (SIGKILL skips exit hooks) is removed by the
 * next {@link #sweep}. Refuses entries that would land outside the directory, and stops writing at
 * {@link Limits}, counting the bytes really inflated: an entry's declared size is whatever the zip says.
 */
public final class BundleZip {
    /** ONNX Runtime cannot load a single .onnx file over 2 GiB (protobuf's limit), so no bundle entry needs more. */
    static final long MAX_ENTRY = 2L << 30;
    /** A bundle is one model plus text files and the manifest. */
    static final long MAX_TOTAL = MAX_ENTRY + (256L << 20);
    /**
     * ONNX weights deflate to about 0.9 of their size and labels to 0.6 (measured on the PP-OCR models), so a
     * genuine bundle unpacks to under twice its zip; a zip bomb to a thousand times it.
     */
    static final long MAX_RATIO = 20;

    static final long RATIO_FLOOR = 64L << 20;

    private static final String UNPACKED = "unpacked";

    private BundleZip() {}

    /** The most bytes one entry and all entries together may unpack to. */
    public record Limits(long perEntry, long total) {
        /** For a zip of {@code zipSize} bytes: the absolute caps, and at most {@link #MAX_RATIO} times the zip. */
        static Limits forZipOf(long zipSize) {
            long byRatio = RATIO_FLOOR + MAX_RATIO * zipSize;
            return new Limits(Math.min(MAX_ENTRY, byRatio), Math.min(MAX_TOTAL, byRatio));
        }
    }

    /** Unpacks {@code zip} under {@code cacheDir} with the limits its size allows. */
    static Path unpack(Path zip, Path cacheDir) {
        try {
            return unpack(zip, cacheDir, Limits.forZipOf(Files.size(zip)));
        } catch (IOException e) {
            throw unreadable(zip, e);
        }
    }

    static Path unpack(Path zip, Path cacheDir, Limits limits) {
        Path root = cacheDir.resolve(UNPACKED);
        sweep(cacheDir);
        Path target;
        try {
            Files.createDirectories(root);
            target = Files.createTempDirectory(root, ownPrefix()).toAbsolutePath();
        } catch (IOException e) {
            throw MldevException.failure(
                    "cannot make a directory to unpack " + zip + " in " + root + ": " + e.getMessage(),
                    "check the cache directory's space and permissions (XDG_CACHE_HOME)");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> FileTrees.deleteQuietly(target)));
        try {
            extract(zip, target, limits);
            return target;
        } catch (IOException e) {
            FileTrees.deleteQuietly(target);
            throw unreadable(zip, e);
        } catch (RuntimeException e) {
            FileTrees.deleteQuietly(target);
            throw e;
        }
    }

    private static void extract(Path zip, Path target, Limits limits) throws IOException {
        long total = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream raw = Files.newInputStream(zip);
                ZipInputStream in = new ZipInputStream(raw)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                Path out = inside(zip, target, entry.getName());
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                long written = 0;
                try (OutputStream file = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW)) {
                    for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                        written += n;
                        total += n;
                        if (written > limits.perEntry() || total > limits.total()) {
                            throw tooLarge(
                                    zip,
                                    written > limits.perEntry()
                                            ? "its entry " + entry.getName() + " unpacks to more than "
                                                    + mebibytes(limits.perEntry())
                                            : "it unpacks to more than " + mebibytes(limits.total()));
                        }
                        file.write(buffer, 0, n);
                    }
                }
            }
        }
    }

    /** Where an entry goes; names that are absolute or climb out with .. are refused (zip slip). */
    private static Path inside(Path zip, Path target, String name) {
        Path out;
        try {
            out = target.resolve(name).normalize();
        } catch (InvalidPathException e) {
            out = null;
        }
        if (out == null || name.startsWith("/") || !out.startsWith(target) || out.equals(target)) {
            throw MldevException.failure(
                    zip + " has an entry outside the bundle: " + name,
                    "re-create the bundle with 'mldev package --zip'");
        }
        return out;
    }

    /**
     * Removes the unpack directories under {@code cacheDir} whose process has ended. A directory is named
     * {@code PID-STARTMILLIS-...}: the start time tells a reused process id from the process that made it.
     */
    public static void sweep(Path cacheDir) {
        Path root = cacheDir.resolve(UNPACKED);
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(dir -> !ownerAlive(dir.getFileName().toString()))
                    .toList()
                    .forEach(FileTrees::deleteQuietly);
        } catch (IOException e) {
            // another process may be sweeping too; whatever is left goes next time
        }
    }

    private static String ownPrefix() {
        ProcessHandle self = ProcessHandle.current();
        return self.pid() + "-" + startMillis(self).orElse(0L) + "-";
    }

    private static boolean ownerAlive(String dirName) {
        String[] parts = dirName.split("-", 3);
        if (parts.length < 3) {
            return true; // not ours: leave it
        }
        try {
            long pid = Long.parseLong(parts[0]);
            long started = Long.parseLong(parts[1]);
            Optional<ProcessHandle> owner = ProcessHandle.of(pid);
            return owner.isPresent()
                    && owner.get().isAlive()
                    && (started == 0
                            || startMillis(owner.get())
                                    .map(millis -> millis == started)
                                    .orElse(true));
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static Optional<Long> startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli);
    }

    private static MldevException tooLarge(Path zip, String why) {
        return MldevException.failure(
                zip + " is refused: " + why + " (a zip bomb, or not a bundle)",
                "a bundle zip holds one model of at most 2 GiB; unzip it yourself and pass the directory if you trust it");
    }

    private static MldevException unreadable(Path zip, IOException e) {
        return MldevException.failure(
                zip + " is neither a bundle directory nor a readable .zip: " + e.getMessage(),
                "pass the directory or .zip written by 'mldev package'");
    }

    private static String mebibytes(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
