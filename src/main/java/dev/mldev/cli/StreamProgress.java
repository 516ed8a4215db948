package dev.mldev.cli;

import dev.mldev.Progress;
import java.util.function.LongSupplier;

/**
 * The progress line of a streamed predict on a TTY: images done of the total, the rate and the time left,
 * redrawn at most ten times a second. Results printed to the same TTY first clear it ({@link #beforeOutput()}).
 */
final class StreamProgress {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR = 20;

    private final Progress progress;
    private final long total;
    private final LongSupplier nanoClock;
    private final long start;
    private long lastDrawn = Long.MIN_VALUE;
    private boolean drawn;

    StreamProgress(Progress progress, long total, LongSupplier nanoClock) {
        this.progress = progress;
        this.total = total;
        this.nanoClock = nanoClock;
        this.start = nanoClock.getAsLong();
    }

    /** Clears the line, so that a result written to the same terminal starts on a clean one. */
    void beforeOutput() {
        if (drawn) {
            progress.status("");
            drawn = false;
        }
    }

    void advance(long done, long failed) {
        long now = nanoClock.getAsLong();
        if (drawn && now - lastDrawn < REDRAW_NANOS && done < total) {
            return;
        }
        progress.status(line(done, total, failed, now - start));
        lastDrawn = now;
        drawn = true;
    }

    void finish() {
        beforeOutput();
    }

    /** E.g. {@code [#####               ] 500/2000 images  33/s  about 45 s left  (2 failed)}. */
    static String line(long done, long total, long failed, long elapsedNanos) {
        int filled = total > 0 ? (int) (Math.min(done, total) * BAR / total) : 0;
        StringBuilder line = new StringBuilder()
                .append('[')
                .append("#".repeat(filled))
                .append(" ".repeat(BAR - filled))
                .append("] ")
                .append(done)
                .append('/')
                .append(total)
                .append(" images");
        double seconds = elapsedNanos / 1e9;
        if (done > 0 && seconds > 0) {
            double rate = done / seconds;
            line.append("  ")
                    .append(rate >= 10 ? String.format("%.0f", rate) : String.format("%.1f", rate))
                    .append("/s");
            if (done < total) {
                line.append("  about ")
                        .append(duration(Math.round((total - done) / rate)))
                        .append(" left");
            }
        }
        if (failed > 0) {
            line.append("  (").append(failed).append(" failed)");
        }
        return line.toString();
    }

    private static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min " + seconds % 60 + " s";
        }
        return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
    }
}
