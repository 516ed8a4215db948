import dev.mldev.image.OnnxRuntimeNatives;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes mldev's release archives and their SHA256SUMS under target/, run by Maven in the package phase (see
 * pom.xml) as a single-file program, after target/lib and mldev's jar exist:
 * <ul>
 * <li>{@code mldev-VERSION-linux-x64.tar.gz}: every runtime jar, the ONNX Runtime jar without its natives, and that
 * jar's linux-x64 natives unpacked under {@code native/} (so no platform's natives are carried twice or for nothing);
 * <li>{@code mldev-VERSION-cost.tar.gz}: the jars the Google Cloud commands need, without ONNX Runtime. Its jars are
 * stored uncompressed, so gzip compresses the whole archive at once: a third smaller than deflated jars.
 * </ul>
 * Both hold the launcher, install.sh, the completions, LICENSE and README.md under one top directory.
 * The natives are handled by mldev's own {@code dev.mldev.image.OnnxRuntimeNatives} (hence target/classes on the
 * class path), as for the serving image and install.sh.
 * Arguments: PROJECT_DIR VERSION COST_LEAVES_OUT (comma-separated jar name prefixes).
 */
public final class ReleaseArchives {
    private static final String PLATFORM = OnnxRuntimeNatives.LINUX_X64;

    private final Path project;
    private final String version;

    private ReleaseArchives(Path project, String version) {
        this.project = project;
        this.version = version;
    }

    public static void main(String[] args) throws IOException {
        ReleaseArchives release = new ReleaseArchives(Path.of(args[0]), args[1]);
        List<String> costLeavesOut = Arrays.asList(args[2].split(","));
        // each archive is one gzip stream on one core: write them side by side
        CompletableFuture<Path> full = CompletableFuture.supplyAsync(() -> unchecked(release::writeFull));
        Path cost = release.writeCost(costLeavesOut);
        release.writeSums(List.of(full.join(), cost));
    }

    interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> T unchecked(IoSupplier<T> supplier) {
        try {
            return supplier.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path target() {
        return project.resolve("target");
    }

    private List<Path> runtimeJars() throws IOException {
        List<Path> jars = new ArrayList<>();
        try (Stream<Path> lib = Files.list(target().resolve("lib"))) {
            lib.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jars::add);
        }
        jars.add(target().resolve("mldev-" + version + ".jar"));
        return jars;
    }

    private static boolean isOnnxRuntime(Path jar) {
        return jar.getFileName().toString().startsWith("onnxruntime");
    }

    private Path writeFull() throws IOException {
        String top = "mldev-" + version + "-" + PLATFORM;
        Path out = target().resolve(top + ".tar.gz");
        try (Tar tar = new Tar(out, top)) {
            addCommonFiles(tar);
            for (Path jar : runtimeJars()) {
                if (isOnnxRuntime(jar)) {
                    tar.add("lib/" + jar.getFileName(), rewrite(jar, ZipEntry.DEFLATED, false), 0644);
                    addNatives(tar, jar);
                } else {
                    tar.add("lib/" + jar.getFileName(), jar, 0644);
                }
            }
        }
        return out;
    }

    private Path writeCost(List<String> leavesOut) throws IOException {
        String top = "mldev-" + version + "-cost";
        Path out = target().resolve(top + ".tar.gz");
        try (Tar tar = new Tar(out, top)) {
            addCommonFiles(tar);
            for (Path jar : runtimeJars()) {
                String name = jar.getFileName().toString();
                if (leavesOut.stream().noneMatch(name::startsWith)) {
                    tar.add("lib/" + name, rewrite(jar, ZipEntry.STORED, true), 0644);
                }
            }
        }
        return out;
    }

    private void addCommonFiles(Tar tar) throws IOException {
        tar.add("bin/mldev", project.resolve("src/release/mldev"), 0755);
        tar.add("install.sh", project.resolve("install.sh"), 0755);
        tar.add("LICENSE", project.resolve("LICENSE"), 0644);
        tar.add("README.md", project.resolve("README.md"), 0644);
        for (String shell : List.of("bash", "zsh", "fish")) {
            tar.add("completions/mldev." + shell, project.resolve("completions/mldev." + shell), 0644);
        }
    }

    /** This platform's native libraries from the ONNX Runtime jar (TensorRT's too: install.sh --tensorrt), unpacked under native/. */
    private static void addNatives(Tar tar, Path ortJar) throws IOException {
        try (ZipFile zip = new ZipFile(ortJar.toFile())) {
            List<ZipEntry> natives = OnnxRuntimeNatives.entries(zip, PLATFORM, true);
            if (natives.isEmpty()) {
                throw new IllegalStateException(ortJar + " holds no " + PLATFORM + " natives");
            }
            for (ZipEntry entry : natives) {
                try (InputStream in = zip.getInputStream(entry)) {
                    tar.add("native/" + OnnxRuntimeNatives.fileName(entry), in, entry.getSize(), 0755);
                }
            }
        }
    }

    /** The jar again with each entry compressed by {@code method}; ONNX Runtime's natives left out unless asked. */
    private static byte[] rewrite(Path jar, int method, boolean keepNatives) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OnnxRuntimeNatives.copyJar(jar, bytes, method, keepNatives);
        return bytes.toByteArray();
    }

    private void writeSums(List<Path> archives) throws IOException {
        StringBuilder sums = new StringBuilder();
        for (Path archive : archives) {
            sums.append(sha256(archive))
                    .append("  ")
                    .append(archive.getFileName())
                    .append('\n');
        }
        Files.writeString(target().resolve("SHA256SUMS"), sums.toString());
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A gzipped tar whose entries all lie under one top directory. */
    private static final class Tar implements AutoCloseable {
        private final String top;
        private final TarArchiveOutputStream out;

        Tar(Path file, String top) throws IOException {
            this.top = top;
            OutputStream gzip = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16);
            this.out = new TarArchiveOutputStream(gzip);
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        }

        void add(String name, Path file, int mode) throws IOException {
            try (InputStream in = Files.newInputStream(file)) {
                add(name, in, Files.size(file), mode);
            }
        }

        void add(String name, byte[] content, int mode) throws IOException {
            add(name, new ByteArrayInputStream(content), content.length, mode);
        }

        void add(String name, InputStream content, long size, int mode) throws IOException {
            TarArchiveEntry entry = new TarArchiveEntry(top + "/" + name);
            entry.setSize(size);
            entry.setMode(mode);
            out.putArchiveEntry(entry);
            content.transferTo(out);
            out.closeArchiveEntry();
        }

        @Override
        public void close() throws IOException {
            try {
                out.finish();
            } finally {
                out.close();
            }
        }
    }
}
