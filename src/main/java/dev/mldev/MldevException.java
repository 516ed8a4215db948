package dev.mldev;

/**
 * A failure the user can act on: one line saying what is wrong, an optional hint saying how to fix it,
 * and the exit code the process ends with. The CLI prints it without a stack trace (unless --verbose).
 */
public class MldevException extends RuntimeException {
    private final int exitCode;
    private final String hint;

    public MldevException(int exitCode, String message, String hint, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
        this.hint = hint;
    }

    public MldevException(int exitCode, String message, String hint) {
        this(exitCode, message, hint, null);
    }

    /** A failure (exit 1) with a hint. */
    public static MldevException failure(String message, String hint) {
        return new MldevException(ExitCodes.FAILURE, message, hint);
    }

    /** Bad input from the user (exit 2) with a hint. */
    public static MldevException usage(String message, String hint) {
        return new MldevException(ExitCodes.USAGE, message, hint);
    }

    /** A remote service refused or failed (exit 4). */
    public static MldevException remote(String message, String hint, Throwable cause) {
        return new MldevException(ExitCodes.REMOTE, message, hint, cause);
    }

    public int exitCode() {
        return exitCode;
    }

    /** How to fix it, or null. */
    public String hint() {
        return hint;
    }
}
