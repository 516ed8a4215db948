package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy --dry-run: every problem at once, and a plan even before a serving image exists. No cloud is called. */
class DryRunTest {
    static final String IMAGE = "us-docker.pkg.dev/mldev-test-project/mldev/serve:1";

    @TempDir
    static Path home;

    static Path bundle;

    @BeforeAll
    static void packageBundle() {
        bundle = home.resolve("cls");
        CliRun r = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.CLS).toString(),
                "--preset",
                "ppocr-cls",
                "--out",
                bundle.toString());
        assertThat(r.exitCode).as(r.toString()).isZero();
    }

    static CliRun dryRun(Map<String, String> extraEnv, String... flags) {
        Map<String, String> env = new HashMap<>(Map.of(
                "MLDEV_PROJECT",
                "mldev-test-project",
                "MLDEV_REGION",
                "us-central1",
                "MLDEV_BUCKET",
                "mldev-test-bucket",
                "GOOGLE_APPLICATION_CREDENTIALS",
                home.resolve("none.json").toString()));
        env.putAll(extraEnv);
        String[] args = Stream.concat(Stream.of("deploy", bundle.toString(), "--dry-run"), Stream.of(flags))
                .toArray(String[]::new);
        return CliRun.run(home, env, args);
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        CliRun r = dryRun(
                Map.of(),
                "--target",
                "vertex",
                "--region",
                "Moon_1",
                "--bucket",
                "Bad Bucket",
                "--machine",
                "n1-standard-4",
                "--gpu",
                "nvidia-l4",
                "--idle-timeout",
                "1m",
                "--requests-per-day",
                "-1");
        assertThat(r.exitCode).as(r.toString()).isEqualTo(2);
        assertThat(r.out).isEmpty();
        assertThat(r.err)
                .contains(
                        "--requests-per-day must be 0 or more",
                        "Moon_1",
                        "'Bad Bucket' is not a bucket name",
                        "n1-standard-4",
                        "--idle-timeout")
                .doesNotContain("Exception")
                .doesNotContain("serving image");
        assertThat(r.err.lines().filter(line -> line.startsWith("mldev: "))).hasSize(5);
    }

    @Test
    void withoutAnImageThePlanSaysWhereOneWouldComeFrom() {
        for (String target : new String[] {"vertex", "vertex-pipeline"}) {
            CliRun r = dryRun(Map.of(), "--target", target);
            assertThat(r.exitCode).as(r.toString()).isZero();
            assertThat(r.out)
                    .as(target)
                    .contains("image: (none yet) (a deploy needs one: 'mldev image push REF --bundle BUNDLE'");
        }
    }

    @Test
    void thePlanSaysWhereTheImageComesFrom() {
        assertThat(dryRun(Map.of(), "--target", "vertex", "--image", IMAGE).out)
                .contains("image: " + IMAGE + " (from --image)");
        assertThat(dryRun(Map.of("MLDEV_IMAGE", IMAGE), "--target", "vertex").out)
                .contains("image: " + IMAGE + " (from MLDEV_IMAGE)");
    }

    @Test
    void aRealDeployStillNeedsAnImage() {
        CliRun r = CliRun.run(
                home,
                Map.of(
                        "MLDEV_PROJECT",
                        "mldev-test-project",
                        "MLDEV_REGION",
                        "us-central1",
                        "MLDEV_BUCKET",
                        "mldev-test-bucket"),
                "deploy",
                bundle.toString(),
                "--target",
                "vertex");
        assertThat(r.exitCode).as(r.toString()).isEqualTo(2);
        assertThat(r.err).contains("no serving image for");
    }
}
