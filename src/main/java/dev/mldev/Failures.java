package dev.mldev;

import java.util.function.Function;

/** Helpers every package uses to turn a library's exception into one line of an {@link MldevException}. */
public final class Failures {
    private Failures() {}

    /** The first line of the exception's message, or its class's simple name when it has no message. */
    public static String firstLine(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : firstLine(t.getMessage());
    }

    /** The first line of a (possibly multi-line) message, trimmed; "" for none. */
    public static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("").strip();
    }

    /** Work that may throw anything. */
    public interface Work<T> {
        T run() throws Exception;
    }

    /** Work without a value. */
    public interface Action {
        void run() throws Exception;
    }

    /**
     * Runs the work; an {@link MldevException} it throws passes through as it is (it already says what is wrong),
     * any other exception becomes the failure {@code wrap} makes of it.
     */
    public static <T> T wrapping(Work<T> work, Function<Exception, MldevException> wrap) {
        try {
            return work.run();
        } catch (MldevException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw wrap.apply(e);
        } catch (Exception e) {
            throw wrap.apply(e);
        }
    }

    /** {@link #wrapping(Work, Function)} for work without a value. */
    public static void wrapping(Action action, Function<Exception, MldevException> wrap) {
        wrapping(
                () -> {
                    action.run();
                    return null;
                },
                wrap);
    }
}
