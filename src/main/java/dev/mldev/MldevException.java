package dev.mldev;

/**
 * A failure the user can act on: one line saying what is wrong, an optional hint saying how to fix it, and what
 * kind of failure it is. Only the CLI turns the kind into an exit code and prints it, without a stack trace (unless
 * --verbose).
 */
public class MldevException extends RuntimeException {
    /** What kind of failure: the CLI maps each to its exit code. */
    public enum Kind {
        /** Something went wrong here (exit 1). */
        FAILURE,
        /** Bad input from the user: a flag, a file, a name (exit 2). */
        USAGE,
        /** A remote service (Google Cloud, a registry, a deployed server) refused or failed (exit 4). */
        REMOTE
    }

    private final Kind kind;
    private final String hint;

    public MldevException(Kind kind, String message, String hint, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.hint = hint;
    }

    public MldevException(Kind kind, String message, String hint) {
        this(kind, message, hint, null);
    }

    /** A failure with a hint. */
    public static MldevException failure(String message, String hint) {
        return new MldevException(Kind.FAILURE, message, hint);
    }

    /** Bad input from the user, with a hint. */
    public static MldevException usage(String message, String hint) {
        return new MldevException(Kind.USAGE, message, hint);
    }

    /** A remote service refused or failed. */
    public static MldevException remote(String message, String hint, Throwable cause) {
        return new MldevException(Kind.REMOTE, message, hint, cause);
    }

    public Kind kind() {
        return kind;
    }

    /** How to fix it, or null. */
    public String hint() {
        return hint;
    }
}
