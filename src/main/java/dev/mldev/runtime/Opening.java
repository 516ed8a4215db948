package dev.mldev.runtime;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;

/**
 * Opens something on a thread of its own while the caller goes on (in a one-shot predict, opening the model
 * session is the longest step before the first inference), hands it over once, and closes it if nobody took it.
 */
public final class Opening<T extends AutoCloseable> implements AutoCloseable {
    private final FutureTask<T> opening;
    private boolean taken;

    private Opening(Supplier<T> open) {
        opening = new FutureTask<>(open::get);
        Thread thread = new Thread(opening, "mldev-opening");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts {@code open} on a thread of its own. */
    public static <T extends AutoCloseable> Opening<T> start(Supplier<T> open) {
        return new Opening<>(open);
    }

    /** What was opened, once ready; the caller owns it from then on. Rethrows what opening threw. */
    public T take() {
        try {
            T opened = opening.get();
            taken = true;
            return opened;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the model was loading", e);
        }
    }

    /** Closes what nobody took (the caller failed first), once it has finished opening. */
    @Override
    public void close() {
        if (taken) {
            return;
        }
        try {
            opening.get().close();
        } catch (ExecutionException e) {
            // opening failed too; the caller's failure is the one reported
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
