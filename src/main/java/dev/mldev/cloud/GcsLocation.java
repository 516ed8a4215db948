package dev.mldev.cloud;

import dev.mldev.MldevException;
import java.util.regex.Pattern;

/** A "folder" in Cloud Storage: a bucket and an object-name prefix ending in "/". */
public record GcsLocation(String bucket, String prefix) {
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]");

    public GcsLocation {
        checkBucket(bucket);
        prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    }

    public static void checkBucket(String bucket) {
        if (bucket == null || bucket.isBlank()) {
            throw MldevException.usage(
                    "no Cloud Storage bucket given",
                    "pass --bucket (a bucket in the same region), or set MLDEV_BUCKET");
        }
        String name = bucket.startsWith("gs://") ? bucket.substring(5) : bucket;
        if (!BUCKET.matcher(name).matches()) {
            throw MldevException.usage(
                    "'" + bucket + "' is not a bucket name",
                    "pass the bucket's name: 3-63 lowercase letters, digits, '-', '_' or '.'");
        }
    }

    public static GcsLocation of(String bucket, String prefix) {
        return new GcsLocation(bucket.startsWith("gs://") ? bucket.substring(5).replaceAll("/+$", "") : bucket, prefix);
    }

    public GcsLocation child(String path) {
        return new GcsLocation(bucket, prefix + path);
    }

    public String objectName(String relativePath) {
        return prefix + relativePath;
    }

    /** gs://bucket/prefix/ */
    public String uri() {
        return "gs://" + bucket + "/" + prefix;
    }
}
