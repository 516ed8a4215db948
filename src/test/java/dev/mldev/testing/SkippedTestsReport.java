package dev.mldev.testing;

import java.io.PrintStream;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints each skipped or aborted test with its reason on the console. Surefire puts the reasons only in its XML
 * reports and counts skips without naming them, so a build with tests unrun looked like any other. Registered for
 * every test run through META-INF/services/org.junit.platform.launcher.TestExecutionListener.
 */
public final class SkippedTestsReport implements TestExecutionListener {
    private final PrintStream console;

    public SkippedTestsReport() {
        this(System.out);
    }

    SkippedTestsReport(PrintStream console) {
        this.console = console;
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        print(test, reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            print(test, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        }
    }

    private void print(TestIdentifier test, String reason) {
        console.println("[WARNING] SKIPPED " + name(test) + ": " + reason);
        console.flush();
    }

    private static String name(TestIdentifier test) {
        return test.getSource()
                .filter(MethodSource.class::isInstance)
                .map(MethodSource.class::cast)
                .map(method -> simpleName(method.getClassName()) + "." + method.getMethodName())
                .orElse(test.getDisplayName());
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
