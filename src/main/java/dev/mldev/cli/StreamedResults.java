package dev.mldev.cli;

import dev.mldev.MldevException;
import dev.mldev.runtime.ImageResult;
import java.util.function.Consumer;

/**
 * Where a streamed predict's results go: printed as each comes, counted on the progress line. A failed image
 * stops the run, or with {@code continueOnError} is printed like a result and counted.
 */
final class StreamedResults implements Consumer<ImageResult> {
    private final PredictionPrinter printer;
    private final StreamProgress progress;
    private final boolean continueOnError;
    private long done;
    private long failed;
    private boolean written;

    StreamedResults(PredictionPrinter printer, StreamProgress progress, boolean continueOnError) {
        this.printer = printer;
        this.progress = progress;
        this.continueOnError = continueOnError;
    }

    @Override
    public void accept(ImageResult result) {
        if (!result.ok() && !continueOnError) {
            throw result.failure();
        }
        progress.beforeOutput();
        printer.write(result);
        written = true;
        done++;
        if (!result.ok()) {
            failed++;
        }
        progress.advance(done, failed);
    }

    /** Ends the output once every image has its result. */
    void finish() {
        progress.finish();
        printer.finish();
    }

    /**
     * Ends the output of a run stopped by a failure, so that what was written stays well-formed (a JSON array is
     * closed); the failure itself goes to stderr.
     */
    void stopped() {
        progress.finish();
        if (written) {
            try {
                printer.finish();
            } catch (MldevException e) {
                // the output cannot be written: the failure that stopped the run is the one to report
            }
        }
    }

    long done() {
        return done;
    }

    long failed() {
        return failed;
    }
}
