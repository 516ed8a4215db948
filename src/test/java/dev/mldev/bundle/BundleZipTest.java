package dev.mldev.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.MldevException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unpack limits count bytes really inflated, per entry and over all entries, whatever the zip declares. */
class BundleZipTest {
    @TempDir
    Path dir;

    private Path zipOf(int... entrySizes) throws IOException {
        Path zip = dir.resolve("b.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (int i = 0; i < entrySizes.length; i++) {
                ZipEntry entry = new ZipEntry("f" + i);
                entry.setSize(1); // declared sizes lie; only what inflates counts
                out.putNextEntry(entry);
                out.write(new byte[entrySizes[i]]);
                out.closeEntry();
            }
        }
        return zip;
    }

    @Test
    void perEntryLimit() throws IOException {
        Path zip = zipOf(1000, 5000);
        assertThatThrownBy(() -> BundleZip.unpack(zip, dir.resolve("cache"), new BundleZip.Limits(4096, 1 << 20)))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining("its entry f1 unpacks to more than");
        assertThat(dir.resolve("cache/unpacked")).isEmptyDirectory();
    }

    @Test
    void totalLimit() throws IOException {
        Path zip = zipOf(3000, 3000);
        assertThatThrownBy(() -> BundleZip.unpack(zip, dir.resolve("cache"), new BundleZip.Limits(4096, 5000)))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining("b.zip is refused: it unpacks to more than");
        assertThat(dir.resolve("cache/unpacked")).isEmptyDirectory();
    }

    @Test
    void withinTheLimitsEverythingIsWritten() throws IOException {
        Path unpacked = BundleZip.unpack(zipOf(3000, 3000), dir.resolve("cache"), new BundleZip.Limits(3000, 6000));
        assertThat(unpacked.getParent()).isEqualTo(dir.resolve("cache/unpacked").toAbsolutePath());
        assertThat(unpacked.resolve("f0")).hasSize(3000);
        assertThat(unpacked.resolve("f1")).hasSize(3000);
    }

    @Test
    void limitsFollowTheZipSizeUpToTheAbsoluteCaps() {
        assertThat(BundleZip.Limits.forZipOf(1 << 20).total()).isEqualTo((64L << 20) + 20 * (1L << 20));
        assertThat(BundleZip.Limits.forZipOf(1L << 30).perEntry()).isEqualTo(2L << 30);
        assertThat(BundleZip.Limits.forZipOf(1L << 30).total()).isEqualTo((2L << 30) + (256L << 20));
    }
}
