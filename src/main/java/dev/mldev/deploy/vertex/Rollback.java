package dev.mldev.deploy.vertex;

import dev.mldev.MldevException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The undo steps for what one deploy run created, run newest first when the run fails. An undo step that
 * fails is reported by name so the user knows what is left (and that 'mldev undeploy' removes it).
 */
public final class Rollback {
    private record Step(String description, Runnable undo) {}

    private final Deque<Step> steps = new ArrayDeque<>();

    public void add(String description, Runnable undo) {
        steps.push(new Step(description, undo));
    }

    /** Runs every undo step; returns what was undone and what could not be. */
    public String undoAll() {
        List<String> done = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        while (!steps.isEmpty()) {
            Step step = steps.pop();
            try {
                step.undo().run();
                done.add(step.description());
            } catch (RuntimeException e) {
                failed.add(step.description() + " (" + (e instanceof MldevException m ? m.getMessage() : e.toString())
                        + ")");
            }
        }
        if (done.isEmpty() && failed.isEmpty()) {
            return "nothing had been created";
        }
        String text = done.isEmpty() ? "" : "rolled back: " + String.join(", ", done);
        if (!failed.isEmpty()) {
            text += (text.isEmpty() ? "" : "; ") + "could not roll back: " + String.join(", ", failed);
        }
        return text;
    }
}
