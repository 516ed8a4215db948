package dev.mldev.cli;

import dev.mldev.MldevException;

/** The process exit codes, documented in --help and the README. Only the CLI chooses them. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    /** A CI gate tripped, e.g. {@code status --max-idle-cost}. */
    public static final int GATE = 3;
    /** A remote service (Google Cloud, a registry, a deployed server) refused or failed. */
    public static final int REMOTE = 4;

    private ExitCodes() {}

    /** The exit code of a failure of this kind. */
    public static int of(MldevException.Kind kind) {
        return switch (kind) {
            case FAILURE -> FAILURE;
            case USAGE -> USAGE;
            case REMOTE -> REMOTE;
        };
    }
}
