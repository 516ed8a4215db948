package dev.mldev.runtime;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;

/**
 * Opens a model session on a thread of its own while the caller decodes images: in a one-shot predict, opening
 * the session is the longest step before the first inference.
 */
public final class BackgroundSession implements AutoCloseable {
    private final FutureTask<ModelSession> opening;
    private boolean taken;

    private BackgroundSession(Supplier<ModelSession> open) {
        opening = new FutureTask<>(open::get);
        Thread thread = new Thread(opening, "mldev-session-open");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts opening a session with {@code open}. */
    public static BackgroundSession start(Supplier<ModelSession> open) {
        return new BackgroundSession(open);
    }

    /** The opened session, once ready; the caller owns it from then on. Rethrows what opening threw. */
    public ModelSession take() {
        try {
            ModelSession session = opening.get();
            taken = true;
            return session;
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

    /** Closes a session nobody took (the caller failed first), once it has finished opening. */
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
        }
    }
}
