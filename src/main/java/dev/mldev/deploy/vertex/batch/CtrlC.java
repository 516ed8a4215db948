package dev.mldev.deploy.vertex.batch;

import java.time.Duration;

/**
 * While open, Ctrl-C (the JVM's shutdown) interrupts the thread that opened it and gives it a minute to ask
 * and clean up before the JVM exits.
 */
final class CtrlC implements AutoCloseable {
    private static final Duration CLEAN_UP = Duration.ofMinutes(1);
    private final Thread hook;

    CtrlC() {
        Thread caller = Thread.currentThread();
        hook = new Thread(() -> {
            caller.interrupt();
            try {
                caller.join(CLEAN_UP.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting (Ctrl-C): the hook has run
        }
    }
}
