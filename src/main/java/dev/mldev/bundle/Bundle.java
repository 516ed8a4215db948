package dev.mldev.bundle;

import dev.mldev.Environment;
import dev.mldev.MldevException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A model bundle on disk: a directory (or a .zip of one) holding {@code mldev.json}, the ONNX file and the
 * labels or vocabulary file. Opening reads and validates the manifest; {@link #verify()} checks the model's
 * sha256.
 */
public final class Bundle {
    public static final String MANIFEST = "mldev.json";

    private final Path dir;
    private final Manifest manifest;

    private Bundle(Path dir, Manifest manifest) {
        this.dir = dir;
        this.manifest = manifest;
    }

    /**
     * Opens a bundle directory or .zip; a .zip is unpacked under the cache directory of the process's
     * environment (see {@link #open(Path, Path)}).
     */
    public static Bundle open(Path path) {
        return open(path, Environment.system().cacheDir());
    }

    /** Opens a bundle directory or .zip; a .zip is unpacked under {@code cacheDir} and removed at exit. */
    public static Bundle open(Path path, Path cacheDir) {
        if (!Files.exists(path)) {
            throw MldevException.failure(
                    "bundle " + path + " does not exist",
                    "create one with 'mldev package MODEL.onnx --out " + path + "'");
        }
        Path dir = Files.isDirectory(path) ? path : BundleZip.unpack(path, cacheDir);
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw MldevException.failure(
                    "bundle " + path + " has no " + MANIFEST,
                    "point at a directory made by 'mldev package', or create one with it");
        }
        Bundle bundle;
        try {
            String json = Files.readString(manifestFile);
            bundle = new Bundle(dir, ManifestIo.read(json, path + "/" + MANIFEST));
        } catch (IOException e) {
            throw MldevException.failure("cannot read " + manifestFile + ": " + e.getMessage(), null);
        }
        bundle.fileFields().forEach(bundle::inside);
        return bundle;
    }

    /** Opens and checks that the model file still has the sha256 the manifest recorded. */
    public static Bundle openVerified(Path path) {
        Bundle bundle = open(path);
        bundle.verify();
        return bundle;
    }

    public Path dir() {
        return dir;
    }

    public Manifest manifest() {
        return manifest;
    }

    public Path modelPath() {
        return inside(new FileField("model.file", manifest.model().file()));
    }

    /**
     * Like {@link #verify()}, but a model whose size, times and inode are as they were when it last matched is
     * not hashed again (as git trusts its index): hashing 10 MB costs a one-shot predict about 0.1 s. Any write
     * to the file changes its ctime, which cannot be set back, so a changed model is still caught.
     *
     * @param memoDir where the last matching state of each model is kept (a cache directory)
     */
    public void verify(Path memoDir) {
        Path memo = memoDir.resolve(manifest.model().sha256());
        String state = fileState(modelPath());
        try {
            if (state != null
                    && Files.isRegularFile(memo)
                    && Files.readString(memo).equals(state)) {
                return;
            }
        } catch (IOException e) {
            // an unreadable memo is no memo
        }
        verify();
        if (state != null) {
            try {
                Files.createDirectories(memoDir);
                Files.writeString(memo, state);
            } catch (IOException e) {
                // without a memo the next run hashes again
            }
        }
    }

    /** Size, modification and change times and inode, or null where the file system does not tell them. */
    private static String fileState(Path file) {
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:size,lastModifiedTime,ctime,ino");
            return file.toAbsolutePath() + "|" + a.get("size") + "|" + a.get("lastModifiedTime") + "|" + a.get("ctime")
                    + "|" + a.get("ino");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    public void verify() {
        Path model = modelPath();
        if (!Files.isRegularFile(model)) {
            throw MldevException.failure(
                    "bundle " + dir + " lacks its model file "
                            + manifest.model().file(),
                    "re-create the bundle with 'mldev package'");
        }
        String actual = Hashes.sha256(model);
        if (!actual.equals(manifest.model().sha256())) {
            throw MldevException.failure(
                    "model " + model + " has sha256 " + actual.substring(0, 12)
                            + "..., but the manifest recorded "
                            + abbreviate(manifest.model().sha256())
                            + ": the file was changed after packaging",
                    "re-create the bundle with 'mldev package' from the model you trust");
        }
    }

    /** The lines of a text file of the bundle (labels, vocabulary), in order. */
    public List<String> readLines(String file) {
        Path path = inside(new FileField("file", file));
        try {
            return Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw MldevException.failure(
                    "bundle " + dir + " lacks " + file, "re-create the bundle with 'mldev package'");
        }
    }

    /** Every regular file of the bundle, relative to its directory, sorted: what an upload sends. */
    public List<Path> files() {
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> files = walk.filter(Files::isRegularFile)
                    .map(dir::relativize)
                    .sorted(Comparator.comparing(Path::toString))
                    .toList();
            files.forEach(file -> inside(new FileField("file", file.toString())));
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The demo's example image number {@code index} (from 0), or empty when the bundle has no such example. */
    public Optional<Path> example(int index) {
        List<String> examples =
                manifest.demo() == null ? List.of() : manifest.demo().examples();
        if (index < 0 || index >= examples.size()) {
            return Optional.empty();
        }
        return Optional.of(inside(new FileField("demo.examples[" + index + "]", examples.get(index))));
    }

    /** A file the manifest names, and the field that names it. */
    private record FileField(String field, String file) {}

    private List<FileField> fileFields() {
        List<FileField> fields = new ArrayList<>(
                List.of(new FileField("model.file", manifest.model().file())));
        if (manifest.postprocess() instanceof Postprocess.Classify c) {
            fields.add(new FileField("postprocess.labels_file", c.labelsFile()));
        } else if (manifest.postprocess() instanceof Postprocess.Ctc c) {
            fields.add(new FileField("postprocess.vocab_file", c.vocabFile()));
        }
        if (manifest.demo() != null) {
            for (int i = 0; i < manifest.demo().examples().size(); i++) {
                fields.add(new FileField(
                        "demo.examples[" + i + "]", manifest.demo().examples().get(i)));
            }
        }
        return fields;
    }

    /**
     * The path of a bundle file, refused unless it stays inside the bundle: relative, no .. climbing out, and
     * (when it exists) no symbolic link on the way that leads out.
     */
    private Path inside(FileField named) {
        Path root = dir.toAbsolutePath().normalize();
        Path path;
        try {
            path = Path.of(named.file()).isAbsolute()
                    ? null
                    : root.resolve(named.file()).normalize();
        } catch (InvalidPathException e) {
            path = null;
        }
        if (path == null || !path.startsWith(root) || path.equals(root)) {
            throw outside(named, "");
        }
        if (Files.exists(path)) {
            try {
                Path real = path.toRealPath();
                if (!real.startsWith(root.toRealPath())) {
                    throw outside(named, " (a link to " + real + ")");
                }
            } catch (IOException e) {
                throw MldevException.failure("cannot resolve " + path + ": " + e.getMessage(), null);
            }
        }
        return path;
    }

    private MldevException outside(FileField named, String detail) {
        return MldevException.failure(
                "bundle " + dir + ": " + named.field() + " \"" + named.file() + "\" is outside the bundle" + detail,
                "a bundle's files must lie inside its directory; re-create it with 'mldev package'");
    }

    private static String abbreviate(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) + "..." : sha;
    }
}
