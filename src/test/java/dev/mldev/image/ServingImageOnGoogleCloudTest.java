package dev.mldev.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.MainClass;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.ImageRoot;
import dev.mldev.testing.ServingImage;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * This build's serving image ({@code mldev image push --tar} on the test base), unpacked and run with chroot
 * where Google Cloud would run it: the fake Vertex AI DeployModel starts its entrypoint with the AIP_*
 * variables, and the fake Pipelines runs the compiled component's command line in it. The answers come from
 * the real PP-OCR recognizer reading a rendered text line.
 */
class ServingImageOnGoogleCloudTest {
    static final String IMAGE = "us-docker.pkg.dev/mldev-test-project/mldev/serve:1";
    static final String TEXT = "Scale to zero";

    @TempDir
    static Path home;

    static FakeGoogleCloud cloud;
    static Map<String, String> env;
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
        env = cloud.environment(home);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    void vertexDeployRunsTheEntrypointWithTheAipVariablesAndItReadsTheText() {
        CliRun deploy = CliRun.run(
                home,
                env,
                "deploy",
                bundle.toString(),
                "--target",
                "vertex",
                "--name",
                "rec",
                "--project",
                FakeGoogleCloud.PROJECT,
                "--region",
                FakeGoogleCloud.REGION,
                "--bucket",
                "mldev-test-bucket",
                "--image",
                IMAGE,
                "--min-replicas",
                "1");
        assertThat(deploy.exitCode)
                .as(deploy + "\nobjects: "
                        + cloud.storage().objects("mldev-test-bucket").keySet())
                .isZero();

        CliRun predict = CliRun.run(home, env, "predict", line.toString(), "--target", "rec", "--json");

        assertThat(predict.exitCode).as(predict.toString()).isZero();
        assertThat(predict.out).contains("\"text\" : \"" + TEXT + "\"");
    }

    @Test
    void aPipelineRunExecutesTheComponentsCommandLineInTheImageAndReadsTheText() {
        CliRun deploy = CliRun.run(
                home,
                env,
                "deploy",
                bundle.toString(),
                "--target",
                "vertex-pipeline",
                "--name",
                "rec-pipeline",
                "--project",
                FakeGoogleCloud.PROJECT,
                "--region",
                FakeGoogleCloud.REGION,
                "--bucket",
                "mldev-test-bucket",
                "--image",
                IMAGE,
                "--machine",
                "g2-standard-4",
                "--gpu",
                "nvidia-l4");
        assertThat(deploy.exitCode).as(deploy.toString()).isZero();

        CliRun predict = CliRun.run(home, env, "predict", line.toString(), "--target", "rec-pipeline", "--json");

        assertThat(predict.exitCode).as(predict.toString()).isZero();
        assertThat(predict.out).contains("\"text\" : \"" + TEXT + "\"");
    }

    @Test
    void theImagesMldevLauncherRunsTheEntrypointsJavaCommandLineFromAnyDirectory() throws Exception {
        ImageRoot image = ServingImage.root();

        ImageRoot.Result version = image.run(List.of("mldev", "--version"), Map.of(), Map.of());

        assertThat(version.exitCode()).as(version.output()).isZero();
        assertThat(version.output()).startsWith("mldev ");
        String java = JavaRuntime.IMAGE_PATH.resolve("bin/java").toString();
        assertThat(Files.readString(image.file(Launcher.PATH.toString())))
                .isEqualTo(Launcher.script(ImagePlan.javaCommand(java, List.of(), ImagePlan.LIB + "/*")));
        assertThat(image.entrypoint())
                .startsWith(java)
                .containsSubsequence(ServeClassArchive.javaOptions())
                .endsWith(MainClass.NAME, "serve");
    }

    @Test
    void theEntrypointMapsServesClassesFromTheImagesClassArchive() {
        ImageRoot image = ServingImage.root();
        List<String> serveHelp = new ArrayList<>(image.entrypoint());
        serveHelp.add("--help");

        ImageRoot.Result help = image.run(serveHelp, Map.of("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info"), Map.of());

        assertThat(help.exitCode()).as(help.output()).isZero();
        assertThat(help.output())
                .contains("java.lang.Object source: shared objects file")
                .contains("dev.mldev.cli.ServeCommand source: shared objects file");
    }
}
