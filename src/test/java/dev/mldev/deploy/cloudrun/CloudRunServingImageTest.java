package dev.mldev.deploy.cloudrun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.ImageRoot;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * This build's serving image run as Cloud Run runs it: the fake Cloud Run starts the image's entrypoint with PORT
 * and K_SERVICE (no AIP_HTTP_PORT), the container reads the bundle from the fake Cloud Storage, and a request at
 * zero waits through the cold start. The answer comes from the real PP-OCR recognizer.
 */
class CloudRunServingImageTest {
    static final String IMAGE = "us-docker.pkg.dev/mldev-test-project/mldev/serve:1";
    static final String TEXT = "Scale to zero";

    @TempDir
    static Path home;

    static FakeGoogleCloud cloud;
    static Path bundle;
    static Path line;

    @BeforeAll
    static void start() {
        ImageRoot.requireRoot();
        bundle = TestModels.packageRecognizer(home);
        line = TextImages.write(TextImages.line(TEXT), home.resolve("line.png"));
        cloud = new FakeGoogleCloud();
        cloud.storage().createBucket("mldev-test-bucket");
        cloud.runServingImage();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    void theImageListensOnPortAndAnswersAfterAColdStart() throws Exception {
        Map<String, String> env = new HashMap<>(cloud.environment(home));
        CliRun deploy = CliRun.run(
                home,
                env,
                "deploy",
                bundle.toString(),
                "--target",
                "cloud-run",
                "--name",
                "rec",
                "--project",
                FakeGoogleCloud.PROJECT,
                "--region",
                FakeGoogleCloud.REGION,
                "--bucket",
                "mldev-test-bucket",
                "--image",
                IMAGE);
        assertThat(deploy.exitCode).as(deploy.toString()).isZero();
        String service =
                "projects/" + FakeGoogleCloud.PROJECT + "/locations/" + FakeGoogleCloud.REGION + "/services/mldev-rec";

        cloud.cloudRun().setIdleShutdown(Duration.ofMillis(200));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (cloud.cloudRun().instances(service) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(cloud.cloudRun().instances(service)).isZero();
        cloud.cloudRun().setIdleShutdown(Duration.ofMinutes(15));

        CliRun predict = CliRun.run(home, env, "predict", line.toString(), "--target", "rec", "--json");
        assertThat(predict.exitCode).as(predict.toString()).isZero();
        assertThat(predict.out).contains("\"text\" : \"" + TEXT + "\"");
        assertThat(cloud.cloudRun().coldStarts()).hasSize(1);
        System.err.println("cold start of the serving image through the fake Cloud Run (CPU): "
                + cloud.cloudRun().coldStarts().get(0).toMillis() + " ms; " + predict.err.trim());
    }
}
