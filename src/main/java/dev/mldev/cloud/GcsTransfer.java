package dev.mldev.cloud;

import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Files to and from Cloud Storage folders. {@link #upload} copies a directory's files with resumable uploads;
 * an object whose MD5 already matches the local file is skipped, so a second upload of the same files sends
 * nothing and an interrupted upload resumes with the files it had not finished.
 */
public final class GcsTransfer {
    private static final int CHUNK = 1 << 20;

    private final Storage storage;
    private final Retry retry;

    public GcsTransfer(Storage storage, Retry retry) {
        this.storage = storage;
        this.retry = retry;
    }

    public record Result(List<String> uploaded, List<String> skipped, long bytesSent) {}

    public Result upload(Path dir, List<Path> files, GcsLocation destination, Progress progress) {
        long total = files.stream().mapToLong(file -> size(dir.resolve(file))).sum();
        String label = "uploading to " + destination.uri();
        List<String> uploaded = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        long done = 0;
        long sent = 0;
        for (Path file : files) {
            Path local = dir.resolve(file);
            String relative = file.toString().replace('\\', '/');
            BlobId id = BlobId.of(destination.bucket(), destination.objectName(relative));
            String md5 = md5Base64(local);
            Blob existing = retry.call("reading " + uri(id), () -> storage.get(id));
            if (existing != null && md5.equals(existing.getMd5())) {
                skipped.add(relative);
                done += size(local);
                progress.advance(label, done, total);
                continue;
            }
            final long before = done;
            long written = retry.call("uploading " + uri(id), () -> write(local, id, before, total, label, progress));
            Blob stored = retry.call("reading " + uri(id), () -> storage.get(id));
            if (stored == null || !md5.equals(stored.getMd5())) {
                throw MldevException.remote(
                        "the upload of " + uri(id) + " arrived damaged (MD5 differs)",
                        "run the command again: it uploads the damaged file again",
                        null);
            }
            uploaded.add(relative);
            done += written;
            sent += written;
        }
        progress.done();
        return new Result(uploaded, skipped, sent);
    }

    /** Writes one object from memory (a pipeline spec, a result). */
    public void put(GcsLocation location, String name, byte[] content, String contentType) {
        BlobId id = BlobId.of(location.bucket(), location.objectName(name));
        retry.run("uploading " + uri(id), () -> {
            try (WriteChannel channel = storage.writer(
                    BlobInfo.newBuilder(id).setContentType(contentType).build())) {
                ByteBuffer bytes = ByteBuffer.wrap(content);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            } catch (IOException e) {
                throw rethrow(e);
            }
        });
    }

    /** Reads one object; exit 4 naming it when it does not exist. */
    public byte[] read(GcsLocation location, String name) {
        BlobId id = BlobId.of(location.bucket(), location.objectName(name));
        Blob blob = retry.call("reading " + uri(id), () -> storage.get(id));
        if (blob == null) {
            throw MldevException.remote(uri(id) + " does not exist", null, null);
        }
        return retry.call("downloading " + uri(id), () -> storage.readAllBytes(id));
    }

    /** The names of the objects under the location, relative to it, in name order. */
    public List<String> list(GcsLocation location) {
        List<String> names = new ArrayList<>();
        retry.run(
                "listing " + location.uri(),
                () -> storage.list(location.bucket(), Storage.BlobListOption.prefix(location.prefix()))
                        .iterateAll()
                        .forEach(blob -> names.add(
                                blob.getName().substring(location.prefix().length()))));
        return names.stream().sorted().toList();
    }

    /** Deletes every object under the location; returns how many. */
    public int deleteAll(GcsLocation location) {
        List<BlobId> ids = new ArrayList<>();
        retry.run(
                "listing " + location.uri(),
                () -> storage.list(location.bucket(), Storage.BlobListOption.prefix(location.prefix()))
                        .iterateAll()
                        .forEach(blob -> ids.add(blob.getBlobId())));
        for (BlobId id : ids) {
            retry.run("deleting " + uri(id), () -> storage.delete(id));
        }
        return ids.size();
    }

    private long write(Path local, BlobId id, long before, long total, String label, Progress progress) {
        BlobInfo info =
                BlobInfo.newBuilder(id).setContentType(contentType(local)).build();
        long written = 0;
        try (WriteChannel channel = storage.writer(info);
                InputStream in = Files.newInputStream(local)) {
            channel.setChunkSize(CHUNK);
            byte[] buffer = new byte[CHUNK];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                written += n;
                progress.advance(label, before + written, total);
            }
        } catch (IOException e) {
            throw rethrow(e);
        }
        return written;
    }

    /** Storage's writer wraps its service errors in IOException: unwrap them so Retry sees them. */
    private static RuntimeException rethrow(IOException e) {
        return e.getCause() instanceof RuntimeException runtime ? runtime : new UncheckedIOException(e);
    }

    private static String contentType(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".json")) {
            return "application/json";
        }
        return name.endsWith(".txt") ? "text/plain" : "application/octet-stream";
    }

    private static String uri(BlobId id) {
        return "gs://" + id.getBucket() + "/" + id.getName();
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String md5Base64(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                md5.update(buffer, 0, n);
            }
            return Base64.getEncoder().encodeToString(md5.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
