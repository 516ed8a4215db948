package dev.mldev.cli;

import dev.mldev.Environment;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;

/** What the process is attached to: whether a person is at a TTY, whether colour is wanted, stdin. */
public final class Terminal {
    private final boolean interactive;
    private final boolean colour;
    private final BufferedReader in;

    public Terminal(boolean interactive, boolean colour, BufferedReader in) {
        this.interactive = interactive;
        this.colour = colour;
        this.in = in;
    }

    public static Terminal system(Environment env) {
        boolean tty = System.console() != null;
        return new Terminal(tty, tty && env.colourAllowed(), new BufferedReader(new InputStreamReader(System.in)));
    }

    /** Not attached to a TTY, no colour, nothing to read: how tests and pipes see mldev. */
    public static Terminal piped() {
        return new Terminal(false, false, new BufferedReader(new java.io.StringReader("")));
    }

    /** A person is at a TTY: tables, progress bars and confirmation prompts are in order. */
    public boolean interactive() {
        return interactive;
    }

    public boolean colour() {
        return colour;
    }

    /** Asks a yes/no question on the TTY; false when nothing is typed or stdin ends. */
    public boolean confirm(PrintWriter err, String question) {
        err.print(question + " [y/N] ");
        err.flush();
        try {
            String answer = in.readLine();
            return answer != null
                    && (answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"));
        } catch (IOException e) {
            return false;
        }
    }

    /** A progress reporter writing to {@code err}: a redrawn bar on a TTY, silent otherwise. */
    public dev.mldev.Progress progress(PrintWriter err) {
        return interactive ? new ProgressBar(err) : dev.mldev.Progress.NONE;
    }
}
