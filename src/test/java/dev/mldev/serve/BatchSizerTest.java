package dev.mldev.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/** The batch cap follows the measured cost per image, under a queue that could always fill any batch. */
class BatchSizerTest {
    /** Runs batches as big as the sizer asks, each costing {@code msPerImage(size)} per image; the cap after. */
    private static int settle(BatchSizer sizer, IntToDoubleFunction msPerImage, int batches, Set<Integer> asked) {
        int size = 0;
        for (int i = 0; i < batches; i++) {
            size = sizer.next();
            asked.add(size);
            sizer.ran(size, (long) (msPerImage.applyAsDouble(size) * size * 1_000_000));
        }
        return mostAsked(sizer);
    }

    /** The size asked for most often over the next 64 batches (neighbours are tried now and then). */
    private static int mostAsked(BatchSizer sizer) {
        int[] counts = new int[65];
        for (int i = 0; i < 64; i++) {
            counts[sizer.next()]++;
        }
        int best = 0;
        for (int s = 1; s < counts.length; s++) {
            best = counts[s] > counts[best] ? s : best;
        }
        return best;
    }

    @Test
    void aModelFastestAtFourSettlesAtFour() {
        // like the recognizer on 2 cores: per-image cost lowest at 4, much higher at 16
        IntToDoubleFunction cost = size -> Math.abs(Math.log(size) / Math.log(2) - 2) * 6 + 22;
        Set<Integer> asked = new HashSet<>();
        assertThat(settle(new BatchSizer(16), cost, 200, asked)).isEqualTo(4);
        assertThat(asked).contains(16).allMatch(s -> s >= 1 && s <= 16);
    }

    @Test
    void aModelThatKeepsGainingStaysAtTheMaximum() {
        Set<Integer> asked = new HashSet<>();
        assertThat(settle(new BatchSizer(16), size -> 1.0 + 8.0 / size, 200, asked))
                .isEqualTo(16);
    }

    @Test
    void theMaximumNeedNotBeAPowerOfTwo() {
        Set<Integer> asked = new HashSet<>();
        assertThat(settle(new BatchSizer(12), size -> 1.0 + 8.0 / size, 200, asked))
                .isEqualTo(12);
        assertThat(asked).allMatch(s -> s == 1 || s == 2 || s == 4 || s == 8 || s == 12);
    }

    @Test
    void aMaximumOfOneAlwaysAsksForOne() {
        BatchSizer sizer = new BatchSizer(1);
        for (int i = 0; i < 20; i++) {
            assertThat(sizer.next()).isEqualTo(1);
            sizer.ran(1, 1_000_000);
        }
    }

    @Test
    void aChangeInCostMovesTheCap() {
        BatchSizer sizer = new BatchSizer(16);
        Set<Integer> asked = new HashSet<>();
        assertThat(settle(sizer, size -> 1.0 + 8.0 / size, 200, asked)).isEqualTo(16);
        // inputs grew wider: big batches became the slow ones
        assertThat(settle(sizer, size -> size <= 4 ? 20.0 : 20.0 + size, 400, asked))
                .isLessThanOrEqualTo(4);
    }
}
