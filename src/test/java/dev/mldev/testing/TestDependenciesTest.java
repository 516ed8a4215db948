package dev.mldev.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class TestDependenciesTest {
    @Test
    void aPresentToolLetsTheTestRun() {
        assertThatCode(() -> TestDependencies.require("sh", true, "apt-get install -y dash", Map.of("CI", "true")))
                .doesNotThrowAnyException();
    }

    @Test
    void aMissingToolFailsUnderCiNamingTheToolAndHowToInstallIt() {
        assertThatThrownBy(() -> TestDependencies.require(
                        "docker-registry", false, "apt-get install -y docker-registry", Map.of("CI", "true")))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessage("docker-registry is not installed (install it with: apt-get install -y docker-registry); "
                        + "CI=true: a missing test dependency fails the build");
    }

    @Test
    void aMissingToolSkipsOutsideCi() {
        for (Map<String, String> environment : List.of(Map.<String, String>of(), Map.of("CI", "false"))) {
            assertThatThrownBy(() -> TestDependencies.require(
                            "docker-registry", false, "apt-get install -y docker-registry", environment))
                    .isInstanceOf(TestAbortedException.class)
                    .hasMessageStartingWith("docker-registry is not installed (install it with: apt-get install -y "
                            + "docker-registry); skipped");
        }
    }

    @Test
    void skippedAndAbortedTestsArePrintedOnTheConsoleWithTheirReason() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        LauncherFactory.create(LauncherConfig.builder()
                        .enableTestExecutionListenerAutoRegistration(false)
                        .build())
                .execute(
                        LauncherDiscoveryRequestBuilder.request()
                                .selectors(selectClass(SkippingTests.class))
                                .build(),
                        new SkippedTestsReport(new PrintStream(console, true, StandardCharsets.UTF_8)));

        assertThat(console.toString(StandardCharsets.UTF_8).lines())
                .containsExactlyInAnyOrder(
                        "[WARNING] SKIPPED TestDependenciesTest$SkippingTests.needsAMissingTool: no-such-tool is not installed (install it with: "
                                + "apt-get install -y no-such-tool); skipped (under CI=true this fails)",
                        "[WARNING] SKIPPED TestDependenciesTest$SkippingTests.disabled: not today");
    }

    /** Run only through the launcher above: surefire leaves nested classes out. */
    static class SkippingTests {
        @Test
        void needsAMissingTool() {
            TestDependencies.require("no-such-tool", false, "apt-get install -y no-such-tool", Map.of());
        }

        @Test
        @Disabled("not today")
        void disabled() {}

        @Test
        void runs() {}
    }
}
