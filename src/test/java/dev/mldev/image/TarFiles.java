package dev.mldev.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** The regular files of a (small, test-made) tar file, by name. */
final class TarFiles {
    private TarFiles() {}

    static Map<String, byte[]> read(Path tar) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (InputStream raw = Files.newInputStream(tar);
                TarArchiveInputStream in = new TarArchiveInputStream(raw)) {
            for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.isFile()) {
                    files.put(entry.getName(), in.readAllBytes());
                }
            }
        }
        return files;
    }
}
