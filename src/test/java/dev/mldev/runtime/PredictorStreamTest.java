package dev.mldev.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.MldevException;
import dev.mldev.bundle.Bundle;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Predictions over a stream of images: in order, failures in their place, and only a bounded number read ahead. */
class PredictorStreamTest {
    @TempDir
    static Path dir;

    static Bundle bundle;
    static Predictor predictor;
    static byte[] upright;
    static byte[] flipped;

    @BeforeAll
    static void open() {
        Path home = dir.resolve("home");
        CliRun r = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.CLS).toString(),
                "--preset",
                "ppocr-cls",
                "--out",
                home.resolve("cls").toString());
        assertThat(r.exitCode).as(r.toString()).isZero();
        bundle = Bundle.openVerified(home.resolve("cls"));
        SessionFactory sessions = new SessionFactory(
                dir.resolve("verdict"), new CudaProbe(dir.resolve("no-driver"), List.of()), m -> {}, false);
        predictor = new Predictor(bundle, sessions.open(bundle, Device.CPU), false);
        upright = TextImages.encode(TextImages.line("Scale to zero"), "png");
        flipped = TextImages.encode(TextImages.rotated180(TextImages.line("Scale to zero")), "png");
    }

    @AfterAll
    static void close() {
        predictor.close();
    }

    /** Counts how many images the stream has handed out (read or about to be). */
    static final class CountingImages implements Iterator<PendingImage> {
        final AtomicInteger taken = new AtomicInteger();
        private final int count;
        private final java.util.function.IntFunction<PendingImage> image;

        CountingImages(int count, java.util.function.IntFunction<PendingImage> image) {
            this.count = count;
            this.image = image;
        }

        @Override
        public boolean hasNext() {
            return taken.get() < count;
        }

        @Override
        public PendingImage next() {
            return image.apply(taken.getAndIncrement());
        }
    }

    @Test
    void resultsComeInOrderWhileOnlyABoundedNumberOfImagesIsHeld() {
        int count = 300;
        CountingImages images =
                new CountingImages(count, i -> new PendingImage("img-" + i, () -> i % 3 == 0 ? flipped : upright));
        List<ImageResult> results = new ArrayList<>();
        int[] mostAhead = {0};
        try (DecodeAhead decoded = DecodeAhead.start(images, Predictor.decodeDepth())) {
            predictor.predictEach(decoded, 0, result -> {
                results.add(result);
                mostAhead[0] = Math.max(mostAhead[0], images.taken.get() - results.size());
            });
        }
        assertThat(results).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(results.get(i).image()).isEqualTo("img-" + i);
            assertThat(results.get(i).prediction().label()).as("img-" + i).isEqualTo(i % 3 == 0 ? "180" : "0");
        }
        // read ahead: the decoding queue plus the window being predicted, never the whole stream
        assertThat(mostAhead[0]).isLessThanOrEqualTo(2 * Predictor.decodeDepth());
    }

    @Test
    void anImageThatCannotBeReadOrDecodedIsAFailedResultInItsPlace() {
        List<PendingImage> images = List.of(
                new PendingImage("good-1", () -> upright),
                new PendingImage("unreadable", () -> {
                    throw MldevException.failure("cannot read image unreadable: Permission denied", null);
                }),
                new PendingImage("notes.png", () -> "just text".getBytes()),
                new PendingImage("good-2", () -> flipped));
        List<ImageResult> results = new ArrayList<>();
        try (DecodeAhead decoded = DecodeAhead.start(images.iterator(), Predictor.decodeDepth())) {
            predictor.predictEach(decoded, 0, results::add);
        }
        assertThat(results)
                .extracting(ImageResult::image)
                .containsExactly("good-1", "unreadable", "notes.png", "good-2");
        assertThat(results).extracting(ImageResult::ok).containsExactly(true, false, false, true);
        assertThat(results.get(1).failure().getMessage()).contains("Permission denied");
        assertThat(results.get(2).failure().getMessage()).contains("notes.png", "not an image");
        assertThat(results.get(3).prediction().label()).isEqualTo("180");
    }
}
