package dev.mldev.serve;

import dev.mldev.Environment;
import dev.mldev.Failures;
import dev.mldev.MldevException;
import dev.mldev.cloud.GcsObjectReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Where the server's bundle comes from: a local path, or (as Vertex AI passes it in AIP_STORAGE_URI) a
 * {@code gs://bucket/prefix} whose objects are downloaded once at start, through Cloud Storage's JSON API
 * ({@link GcsObjectReader}: the serving image carries no storage client library).
 */
public final class BundleLocation {
    private final Supplier<GcsObjectReader> storage;

    /** @param storage the reader of gs:// locations, made only when one is resolved */
    public BundleLocation(Supplier<GcsObjectReader> storage) {
        this.storage = storage;
    }

    /** Storage through Application Default Credentials, reached only when a gs:// location is used. */
    public static BundleLocation withDefaultCredentials(Environment env) {
        return new BundleLocation(() -> GcsObjectReader.withDefaultCredentials(env, GcsObjectReader.MAX_PAGE_SIZE));
    }

    /** The local path of the bundle; a gs:// location is downloaded into a new temporary directory first. */
    public Path resolve(String location) {
        if (!location.startsWith("gs://")) {
            return Path.of(location);
        }
        Path downloadDir;
        try {
            downloadDir = Files.createTempDirectory("mldev-bundle-");
        } catch (IOException e) {
            throw MldevException.failure(
                    "cannot make a directory for the bundle: " + e.getMessage(),
                    "check the temporary directory's space and permissions");
        }
        String rest = location.substring("gs://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        // one trailing slash whether the location ends with none or several ("p/" must not list "p//")
        String folder = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
        String prefix = folder.isEmpty() ? "" : folder + "/";
        int files = Failures.wrapping(
                () -> download(bucket, prefix, downloadDir),
                e -> MldevException.remote(
                        "cannot download the bundle from " + location + ": " + e.getMessage(),
                        "check that the service account can read the bucket (roles/storage.objectViewer)",
                        e));
        if (files == 0) {
            throw MldevException.failure(
                    "no objects under " + location, "upload the bundle there first (mldev deploy does)");
        }
        return downloadDir;
    }

    /** Downloads every object under the prefix into the directory; returns how many. */
    private int download(String bucket, String prefix, Path downloadDir) throws IOException {
        GcsObjectReader reader = storage.get();
        int count = 0;
        for (String name : reader.list(bucket, prefix)) {
            String relative = name.substring(prefix.length());
            if (relative.isEmpty() || relative.endsWith("/")) {
                continue;
            }
            Path target = downloadDir.resolve(relative).normalize();
            if (!target.startsWith(downloadDir)) {
                continue; // an object name with .. cannot write outside the download directory
            }
            Files.createDirectories(target.getParent());
            reader.download(bucket, name, target);
            count++;
        }
        return count;
    }
}
