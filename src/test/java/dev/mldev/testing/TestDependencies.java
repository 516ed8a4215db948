package dev.mldev.testing;

import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.opentest4j.AssertionFailedError;

/**
 * A tool a test needs from the machine (a real registry, say). Missing, the test is skipped, and
 * {@link SkippedTestsReport} prints why on the console; under CI ({@code CI=true}) it fails instead, so a CI machine
 * that lost a tool cannot report BUILD SUCCESS with part of the suite unrun.
 */
public final class TestDependencies {
    private TestDependencies() {}

    /** Continues when {@code present}; otherwise skips the test, or fails it under CI, naming how to install the tool. */
    public static void require(String tool, boolean present, String installCommand) {
        require(tool, present, installCommand, System.getenv());
    }

    static void require(String tool, boolean present, String installCommand, Map<String, String> environment) {
        if (present) {
            return;
        }
        String missing = tool + " is not installed (install it with: " + installCommand + ")";
        if ("true".equalsIgnoreCase(environment.get("CI"))) {
            throw new AssertionFailedError(missing + "; CI=true: a missing test dependency fails the build");
        }
        Assumptions.abort(missing + "; skipped (under CI=true this fails)");
    }
}
