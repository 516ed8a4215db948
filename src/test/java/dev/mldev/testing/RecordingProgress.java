package dev.mldev.testing;

import dev.mldev.Progress;
import java.util.List;

/** Collects the step and status lines a TTY would show. */
public record RecordingProgress(List<String> lines) implements Progress {
    @Override
    public void step(String message) {
        lines.add(message);
    }

    @Override
    public void advance(String label, long done, long total) {}

    @Override
    public void done() {}

    @Override
    public void status(String line) {
        lines.add(line);
    }
}
