package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.testing.RecordingProgress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The progress line of a streamed predict: count, rate, time left; redrawn at most ten times a second. */
class StreamProgressTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void showsCountRateAndTimeLeft() {
        assertThat(StreamProgress.line(0, 2000, 0, 0)).isEqualTo("[                    ] 0/2000 images");
        assertThat(StreamProgress.line(500, 2000, 0, 15 * SECOND))
                .isEqualTo("[#####               ] 500/2000 images  33/s  about 45 s left");
        assertThat(StreamProgress.line(10, 2000, 2, 4 * SECOND))
                .isEqualTo("[                    ] 10/2000 images  2.5/s  about 13 min 16 s left  (2 failed)");
        assertThat(StreamProgress.line(2000, 2000, 0, 50 * SECOND))
                .isEqualTo("[####################] 2000/2000 images  40/s");
    }

    @Test
    void redrawsAtMostTenTimesASecondAndClearsBeforeOutput() {
        List<String> shown = new ArrayList<>();
        long[] now = {0};
        StreamProgress progress = new StreamProgress(new RecordingProgress(shown), 100, () -> now[0]);
        progress.advance(1, 0);
        now[0] += SECOND / 50;
        progress.advance(2, 0); // too soon: not drawn
        now[0] += SECOND / 5;
        progress.advance(3, 0);
        progress.beforeOutput();
        progress.beforeOutput(); // nothing drawn since: nothing to clear
        assertThat(shown).hasSize(3);
        assertThat(shown.get(0)).contains("] 1/100 images");
        assertThat(shown.get(1)).contains("] 3/100 images");
        assertThat(shown.get(2)).isEmpty();
    }
}
