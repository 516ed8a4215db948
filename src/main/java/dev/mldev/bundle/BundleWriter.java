package dev.mldev.bundle;

import dev.mldev.FileTrees;
import dev.mldev.MldevException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a bundle next to its destination first and moves it into place at the end, so a failed or
 * interrupted package leaves the destination as it was.
 */
public final class BundleWriter {
    private BundleWriter() {}

    /**
     * @param extras further files of the bundle (labels, vocabulary) by name
     * @param out    the bundle directory, or with {@code zip} the .zip file to write
     * @return the path written
     */
    public static Path write(Manifest manifest, Path model, Map<String, byte[]> extras, Path out, boolean zip) {
        Path target = zip && !out.toString().endsWith(".zip") ? Path.of(out + ".zip") : out;
        refuseToClobber(target);
        Path parent = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
            Path staging = Files.createTempDirectory(parent, ".mldev-package-");
            try {
                Files.copy(model, staging.resolve(manifest.model().file()));
                for (Map.Entry<String, byte[]> extra : extras.entrySet()) {
                    Files.write(staging.resolve(extra.getKey()), extra.getValue());
                }
                Files.writeString(staging.resolve(Bundle.MANIFEST), ManifestIo.write(manifest), StandardCharsets.UTF_8);
                if (zip) {
                    Path tmpZip = staging.resolveSibling(staging.getFileName() + ".zip");
                    zipDirectory(staging, tmpZip);
                    Files.move(tmpZip, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } else {
                    FileTrees.delete(target);
                    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                }
            } finally {
                FileTrees.delete(staging);
            }
            return target;
        } catch (IOException e) {
            throw MldevException.failure(
                    "cannot write bundle " + target + ": " + e.getMessage(),
                    "check that the directory is writable and the disk has space");
        }
    }

    /** A destination may be replaced only if it is absent, empty, or an earlier bundle. */
    private static void refuseToClobber(Path target) {
        if (Files.isDirectory(target)) {
            try (Stream<Path> entries = Files.list(target)) {
                boolean empty = entries.findAny().isEmpty();
                if (!empty && !Files.exists(target.resolve(Bundle.MANIFEST))) {
                    throw MldevException.usage(
                            "--out " + target + " is a directory that is not a bundle",
                            "choose a new directory, or an existing bundle to replace");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else if (Files.exists(target) && !target.toString().endsWith(".zip")) {
            throw MldevException.usage(
                    "--out " + target + " is a file", "choose a directory for the bundle, or use --zip");
        }
    }

    private static void zipDirectory(Path dir, Path zipFile) throws IOException {
        try (OutputStream raw = Files.newOutputStream(zipFile);
                ZipOutputStream zip = new ZipOutputStream(raw);
                Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                zip.putNextEntry(new ZipEntry(file.getFileName().toString()));
                Files.copy(file, zip);
                zip.closeEntry();
            }
        }
    }
}
