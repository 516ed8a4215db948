package dev.mldev.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.runtime.ImageDecoder;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatcherTest {
    private static final Predictor.Decoded IMAGE =
            new Predictor.Decoded("x", new ImageDecoder.BgrImage(new byte[3], 1, 1), 0);

    /** A model whose first run fails with an Error, as a batch too big for the heap does. */
    private static final class FailingOnce implements Batcher.Model {
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public boolean isLoaded() {
            return true;
        }

        @Override
        public List<Prediction> run(List<Predictor.Decoded> images, int topK) {
            if (runs.getAndIncrement() == 0) {
                throw new OutOfMemoryError("Java heap space");
            }
            return images.stream()
                    .map(i -> Prediction.of("ok", null, null, null, null))
                    .toList();
        }
    }

    @Test
    void anErrorFailsItsBatchOnlyAndTheWorkerServesTheNext() throws Exception {
        FailingOnce model = new FailingOnce();
        try (Batcher batcher = new Batcher(model, 4, 0, n -> {})) {
            batcher.expect();
            assertThatThrownBy(() -> batcher.submit(List.of(IMAGE), 0).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(OutOfMemoryError.class);
            batcher.expect();
            assertThat(batcher.submit(List.of(IMAGE), 0).get(5, TimeUnit.SECONDS))
                    .hasSize(1);
            assertThat(batcher.isRunning()).isTrue();
        }
    }

    @Test
    void aClosedBatcherIsNotRunning() {
        Batcher batcher = new Batcher(new FailingOnce(), 4, 0, n -> {});
        batcher.close();
        assertThat(batcher.isRunning()).isFalse();
    }
}
