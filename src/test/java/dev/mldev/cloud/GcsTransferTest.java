package dev.mldev.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.storage.Storage;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.fake.FakeGoogleCloud;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads through the real Storage client to the fake JSON API: chunked resumable uploads, skips, deletes. */
class GcsTransferTest {
    @TempDir
    Path home;

    FakeGoogleCloud cloud;
    CloudContext context;
    Storage storage;
    GcsTransfer gcs;
    final GcsLocation folder = GcsLocation.of("gs://transfer-bucket", "mldev/demo/1/");

    @BeforeEach
    void start() {
        cloud = new FakeGoogleCloud();
        cloud.storage().createBucket("transfer-bucket");
        context = CloudContext.connect(
                        new Environment(cloud.environment(home), home), FakeGoogleCloud.PROJECT, FakeGoogleCloud.REGION)
                .withRetry(new Retry(FakeGoogleCloud.PROJECT, 3, Duration.ofMillis(10), Duration.ofMillis(30)));
        storage = StorageClients.create(context);
        gcs = new GcsTransfer(storage, context.retry());
    }

    @AfterEach
    void stop() throws Exception {
        storage.close();
        cloud.close();
    }

    @Test
    void uploadsInChunksSkipsWhatMatchesAndSendsWhatChanged() throws Exception {
        Path dir = Files.createDirectories(home.resolve("bundle"));
        byte[] big = new byte[3 * 1024 * 1024 + 123];
        new Random(7).nextBytes(big);
        Files.write(dir.resolve("model.onnx"), big);
        Files.writeString(dir.resolve("labels.txt"), "a\nb\n");
        List<Path> files = List.of(Path.of("labels.txt"), Path.of("model.onnx"));
        AtomicLong highest = new AtomicLong();
        Progress progress = new Progress() {
            @Override
            public void step(String message) {}

            @Override
            public void advance(String label, long done, long total) {
                assertThat(total).isEqualTo(big.length + 4);
                highest.accumulateAndGet(done, Math::max);
            }

            @Override
            public void done() {}
        };

        GcsTransfer.Result first = gcs.upload(dir, files, folder, progress);

        assertThat(first.uploaded()).containsExactly("labels.txt", "model.onnx");
        assertThat(cloud.storage()
                        .objects("transfer-bucket")
                        .get("mldev/demo/1/model.onnx")
                        .bytes())
                .isEqualTo(big);
        assertThat(cloud.storage().uploadRequests())
                .as("a session and several chunks for the big file")
                .isGreaterThan(4);
        assertThat(highest.get()).isEqualTo(big.length + 4);

        long requests = cloud.storage().uploadRequests();
        GcsTransfer.Result again = gcs.upload(dir, files, folder, Progress.NONE);
        assertThat(again.uploaded()).isEmpty();
        assertThat(again.skipped()).containsExactly("labels.txt", "model.onnx");
        assertThat(cloud.storage().uploadRequests()).isEqualTo(requests);

        Files.writeString(dir.resolve("labels.txt"), "a\nb\nc\n");
        GcsTransfer.Result changed = gcs.upload(dir, files, folder, Progress.NONE);
        assertThat(changed.uploaded()).containsExactly("labels.txt");
        assertThat(changed.bytesSent()).isEqualTo(6);

        gcs.put(folder, "pipeline.json", "{}".getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(gcs.read(folder, "pipeline.json")).isEqualTo("{}".getBytes(StandardCharsets.UTF_8));
        assertThat(gcs.deleteAll(folder)).isEqualTo(3);
        assertThat(cloud.storage().objects("transfer-bucket")).isEmpty();
    }

    @Test
    void aMissingBucketSaysHowToMakeOne() {
        var nowhere = GcsLocation.of("no-such-bucket", "x/");
        try {
            gcs.put(nowhere, "a", new byte[] {1}, "application/octet-stream");
            throw new AssertionError("uploaded to a missing bucket");
        } catch (dev.mldev.MldevException e) {
            assertThat(e.kind()).isEqualTo(MldevException.Kind.REMOTE);
            assertThat(e.hint()).contains("gcloud storage buckets create");
        }
    }
}
