package dev.mldev;

/**
 * Progress of long work (uploads, cloud waits, wake-ups), reported by the domain packages and drawn by
 * the CLI: a bar on a TTY, nothing (or one line per step) otherwise. Implementations are thread-safe.
 */
public interface Progress {
    /** A step that is starting or finished, e.g. "creating endpoint mldev-ocr". */
    void step(String message);

    /** Work with a known size, e.g. bytes uploaded; {@code total} may be -1 when unknown. */
    void advance(String label, long done, long total);

    /** The current bar is finished; the next output starts on a fresh line. */
    void done();

    /**
     * A one-line status redrawn in place, e.g. "waking endpoint from zero (42 s)"; an empty line clears it.
     * Only a TTY shows it.
     */
    default void status(String line) {}

    Progress NONE = new Progress() {
        @Override
        public void step(String message) {}

        @Override
        public void advance(String label, long done, long total) {}

        @Override
        public void done() {}
    };
}
