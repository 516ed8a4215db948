package dev.mldev.cli;

import dev.mldev.Progress;
import java.io.PrintWriter;

/** A one-line progress display for a TTY, redrawn in place with carriage returns. */
final class ProgressBar implements Progress {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private boolean lineOpen;
    private long highestSeen;

    ProgressBar(PrintWriter err) {
        this.err = err;
    }

    @Override
    public synchronized void step(String message) {
        finishLine();
        err.println(message);
        err.flush();
    }

    @Override
    public synchronized void advance(String label, long done, long total) {
        // callbacks can arrive from several threads out of order: never draw a bar going backwards
        highestSeen = Math.max(highestSeen, done);
        StringBuilder line = new StringBuilder("\r").append(label).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, highestSeen * WIDTH / total);
            line.append('[')
                    .append("#".repeat(filled))
                    .append(" ".repeat(WIDTH - filled))
                    .append("] ")
                    .append(highestSeen * 100 / total)
                    .append('%');
        } else {
            line.append(highestSeen);
        }
        err.print(line.append("\u001b[K"));
        err.flush();
        lineOpen = true;
    }

    @Override
    public synchronized void status(String line) {
        if (line.isEmpty()) {
            if (lineOpen) {
                err.print("\r\u001b[K");
                err.flush();
                lineOpen = false;
            }
            return;
        }
        err.print("\r" + line + "\u001b[K");
        err.flush();
        lineOpen = true;
    }

    @Override
    public synchronized void done() {
        finishLine();
        highestSeen = 0;
    }

    private void finishLine() {
        if (lineOpen) {
            err.println();
            err.flush();
            lineOpen = false;
        }
    }
}
