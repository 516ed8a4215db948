package dev.mldev;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Checks independent of each other, all run, their failures reported together: a user fixing flags one run at a
 * time learns of the next problem only after fixing the last.
 */
public final class Problems {
    private final List<MldevException> found = new ArrayList<>();

    public void add(MldevException problem) {
        found.add(problem);
    }

    public void check(Runnable check) {
        check(
                () -> {
                    check.run();
                    return null;
                },
                null);
    }

    /** The check's value, or {@code ifFailed} (for the checks that depend on it to skip) when it failed. */
    public <T> T check(Supplier<T> check, T ifFailed) {
        try {
            return check.get();
        } catch (Several several) {
            found.addAll(several.problems());
            return ifFailed;
        } catch (MldevException e) {
            found.add(e);
            return ifFailed;
        }
    }

    /** Throws the one problem found as it is, or {@link Several} for more. */
    public void throwIfAny() {
        if (found.size() == 1) {
            throw found.get(0);
        }
        if (!found.isEmpty()) {
            throw new Several(List.copyOf(found));
        }
    }

    /** More than one problem, each with its own hint; the exit code is the first one's. */
    public static final class Several extends MldevException {
        private final List<MldevException> problems;

        Several(List<MldevException> problems) {
            super(
                    problems.get(0).kind(),
                    problems.size() + " problems: "
                            + problems.stream().map(Throwable::getMessage).collect(Collectors.joining("; ")),
                    null);
            this.problems = problems;
        }

        public List<MldevException> problems() {
            return problems;
        }
    }
}
