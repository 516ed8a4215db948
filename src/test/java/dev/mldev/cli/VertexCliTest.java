package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Code;
import dev.mldev.bundle.Bundle;
import dev.mldev.deploy.vertex.ModelContainer;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.fake.Faults;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy / status / predict / undeploy --target vertex, black-box through the CLI against the fake Google Cloud. */
class VertexCliTest {
    static final String IMAGE = "us-docker.pkg.dev/mldev-test-project/mldev/serve:1";

    @TempDir
    static Path home;

    static FakeGoogleCloud cloud;
    static ModelContainer container;
    static Path bundle;
    static Path upright;
    static Path upsideDown;
    /** stdout and stderr of every run, checked for secrets after each test. */
    final List<String> outputs = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        CliRun packaged = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.CLS).toString(),
                "--preset",
                "ppocr-cls",
                "--out",
                home.resolve("cls").toString());
        assertThat(packaged.exitCode).as(packaged.toString()).isZero();
        bundle = home.resolve("cls");
        cloud = new FakeGoogleCloud();
        cloud.storage().createBucket("mldev-test-bucket");
        container = new ModelContainer(Bundle.open(bundle), home);
        cloud.prediction().setContainer(container.url());
        var line = TextImages.line("Scale to zero");
        upright = TextImages.write(line, home.resolve("upright.png"));
        upsideDown = TextImages.write(TextImages.rotated180(line), home.resolve("upside-down.png"));
    }

    @AfterAll
    static void stop() throws Exception {
        container.close();
        cloud.close();
    }

    @AfterEach
    void noSecretInAnyOutput() {
        cloud.faults().clear();
        String keyLine = cloud.serviceAccount()
                .privateKeyPem()
                .lines()
                .skip(1)
                .findFirst()
                .orElseThrow();
        for (String text : outputs) {
            assertThat(text)
                    .doesNotContain(keyLine)
                    .doesNotContainIgnoringCase("authorization:")
                    .doesNotContain("Bearer ");
            cloud.auth().issuedTokens().forEach(token -> assertThat(text).doesNotContain(token));
        }
    }

    Map<String, String> env() {
        Map<String, String> env = new HashMap<>(cloud.environment(home));
        env.put("MLDEV_PROJECT", FakeGoogleCloud.PROJECT);
        env.put("MLDEV_REGION", FakeGoogleCloud.REGION);
        env.put("MLDEV_BUCKET", "mldev-test-bucket");
        return env;
    }

    CliRun mldev(Map<String, String> env, String... args) {
        CliRun run = CliRun.run(home, env, args);
        outputs.add(run.out + run.err);
        return run;
    }

    record TtyRun(int exitCode, String err) {}

    /** As on a terminal: progress and status lines are drawn on stderr. */
    TtyRun onTty(Map<String, String> env, String... args) {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("XDG_STATE_HOME", home.resolve("state").toString());
        all.putIfAbsent("XDG_CONFIG_HOME", home.resolve("config").toString());
        var cli = Cli.commandLine(
                new dev.mldev.Environment(all, home),
                new Terminal(true, false, new java.io.BufferedReader(new java.io.StringReader(""))));
        var out = new java.io.StringWriter();
        var err = new java.io.StringWriter();
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        int code = cli.execute(args);
        outputs.add(out + err.toString());
        return new TtyRun(code, err.toString());
    }

    @Test
    void deployStatusPredictThroughAWakeAndUndeploy() {
        CliRun deploy = mldev(
                env(),
                "deploy",
                bundle.toString(),
                "--target",
                "vertex",
                "--name",
                "cls",
                "--image",
                IMAGE,
                "--idle-timeout",
                "15m");
        assertThat(deploy.exitCode).as(deploy.toString()).isZero();
        String endpoint = cloud.vertex().endpoints().get(0).getName();
        assertThat(deploy.out.trim()).matches("cls  https://127\\.0\\.0\\.1:\\d+/v1beta1/" + endpoint + ":predict");

        CliRun again = mldev(
                env(),
                "deploy",
                bundle.toString(),
                "--target",
                "vertex",
                "--name",
                "cls",
                "--image",
                IMAGE,
                "--idle-timeout",
                "15m");
        assertThat(again.exitCode).as(again.toString()).isZero();
        assertThat(again.out).contains("(unchanged)");

        CliRun status = mldev(env(), "status");
        assertThat(status.out).containsPattern("cls\\s+vertex\\s+warm");

        cloud.vertex().scaleToZero(endpoint);
        cloud.prediction().setScaleUpDelay(Duration.ofMillis(1200));
        assertThat(mldev(env(), "status").out).containsPattern("cls\\s+vertex\\s+zero");

        CliRun predict = mldev(env(), "predict", upright.toString(), upsideDown.toString(), "--target", "cls");
        assertThat(predict.exitCode).as(predict.toString()).isZero();
        assertThat(predict.out.lines().toList()).hasSize(2);
        assertThat(predict.out.lines().toList().get(0)).startsWith(upright + "  0  ");
        assertThat(predict.out.lines().toList().get(1)).startsWith(upsideDown + "  180  ");
        assertThat(predict.err)
                .containsPattern(
                        "mldev: 2 predictions in \\d+\\.\\d s, \\d+\\.\\d s of it waking the endpoint from zero");

        cloud.vertex().scaleToZero(endpoint);
        TtyRun onTty = onTty(env(), "predict", upright.toString(), "--target", "cls");
        assertThat(onTty.exitCode).as(onTty.toString()).isZero();
        assertThat(onTty.err).containsPattern("\rwaking endpoint from zero \\(\\d+ s\\)");

        CliRun refused = mldev(env(), "undeploy", "cls");
        assertThat(refused.exitCode).isEqualTo(2);
        assertThat(cloud.vertex().endpoints()).hasSize(1);

        CliRun undeploy = mldev(env(), "undeploy", "cls", "--yes", "--purge");
        assertThat(undeploy.exitCode).as(undeploy.toString()).isZero();
        assertThat(cloud.vertex().endpoints()).isEmpty();
        assertThat(cloud.vertex().models()).isEmpty();
        assertThat(cloud.storage().objects("mldev-test-bucket")).isEmpty();
        assertThat(mldev(env(), "status").out).doesNotContain("cls");
    }

    @Test
    void dryRunPrintsThePlanAndCallsNothingNotEvenForCredentials() {
        Map<String, String> noCredentials = new HashMap<>(env());
        noCredentials.remove("GOOGLE_APPLICATION_CREDENTIALS");
        long uploads = cloud.storage().uploadRequests();

        CliRun plan = mldev(
                noCredentials,
                "deploy",
                bundle.toString(),
                "--target",
                "vertex",
                "--image",
                IMAGE,
                "--dry-run",
                "--gpu",
                "nvidia-tesla-t4",
                "--machine",
                "n1-standard-4",
                "--max-replicas",
                "3");

        assertThat(plan.exitCode).as(plan.toString()).isZero();
        assertThat(plan.out)
                .contains("dry run: nothing is called")
                .contains("ModelService.UploadModel")
                .contains("EndpointService.CreateEndpoint")
                .contains("EndpointService.DeployModel")
                .contains("\"acceleratorType\": \"NVIDIA_TESLA_T4\"")
                .contains("\"maxReplicaCount\": 3")
                .contains("gs://mldev-test-bucket/mldev/ch-ppocr-mobile-v2-0-cls-infer/");
        assertThat(cloud.vertex().endpoints()).isEmpty();
        assertThat(cloud.vertex().models()).isEmpty();
        assertThat(cloud.storage().uploadRequests()).isEqualTo(uploads);
    }

    /** The forecast with a price table of the test's own: every figure worked out by hand below. */
    @Test
    void dryRunJsonForecastsTheCost() throws Exception {
        Path prices = java.nio.file.Files.writeString(home.resolve("prices.json"), """
                {"schema": 1, "as_of": "2026-01-01", "currency": "USD", "vertex_markup": "1.25",
                 "regions": {"us-central1": {"machines": {"g2-standard-4": "0.20"}, "accelerators": {"NVIDIA_L4": "0.60"}}}}
                """);
        CliRun plan = mldev(
                env(),
                "deploy",
                bundle.toString(),
                "--target",
                "vertex",
                "--image",
                IMAGE,
                "--dry-run",
                "--json",
                "--machine",
                "g2-standard-4",
                "--gpu",
                "nvidia-l4",
                "--idle-timeout",
                "30m",
                "--min-scaleup",
                "2h",
                "--requests-per-day",
                "20",
                "--prices",
                prices.toString());
        assertThat(plan.exitCode).as(plan.toString()).isZero();
        var forecast = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(plan.out)
                .path("forecast");
        // node: (0.20 + 1 x 0.60) x 1.25 = 1.00 per hour; idle: min replicas 0, so nothing
        assertThat(forecast.path("node_price_per_hour_usd").decimalValue()).isEqualByComparingTo("1.00");
        assertThat(forecast.path("idle_cost_per_hour_usd").decimalValue()).isEqualByComparingTo("0");
        // a wake keeps the node up for the longer of min scale-up (2h) and idle scale-down (30m): 2h x 1.00
        assertThat(forecast.path("cost_per_wake_usd").decimalValue()).isEqualByComparingTo("2.00");
        // best: the 20 requests bunched, one wake; worst: 20 wakes of 2h = 40h, capped at a whole day = 24.00
        assertThat(forecast.path("daily_cost_usd_best").decimalValue()).isEqualByComparingTo("2.00");
        assertThat(forecast.path("daily_cost_usd_worst").decimalValue()).isEqualByComparingTo("24.00");

        CliRun always = mldev(
                env(),
                "deploy",
                bundle.toString(),
                "--target",
                "vertex",
                "--image",
                IMAGE,
                "--dry-run",
                "--json",
                "--machine",
                "g2-standard-4",
                "--gpu",
                "nvidia-l4",
                "--min-replicas",
                "1",
                "--prices",
                prices.toString());
        var warm = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(always.out)
                .path("forecast");
        assertThat(warm.path("idle_cost_per_hour_usd").decimalValue()).isEqualByComparingTo("1.00");
        assertThat(warm.path("daily_cost_usd_worst").decimalValue()).isEqualByComparingTo("24.00");

        CliRun text = mldev(
                env(),
                "deploy",
                bundle.toString(),
                "--target",
                "vertex",
                "--image",
                IMAGE,
                "--dry-run",
                "--prices",
                prices.toString(),
                "--machine",
                "n1-standard-4",
                "--gpu",
                "nvidia-tesla-t4");
        assertThat(text.exitCode).as(text.toString()).isZero();
        assertThat(text.out).contains("forecast:").contains("unknown");
    }

    @Test
    void aBadMachineAndGpuPairExitsTwoBeforeAnyCall() {
        int tokens = cloud.auth().issuedTokens().size();
        CliRun run = mldev(
                env(),
                "deploy",
                bundle.toString(),
                "--target",
                "vertex",
                "--image",
                IMAGE,
                "--machine",
                "n1-standard-4",
                "--gpu",
                "nvidia-l4");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err)
                .startsWith("mldev: nvidia-l4 attaches only to g2-standard-* machines, not n1-standard-4\nhint: ");
        assertThat(cloud.auth().issuedTokens())
                .as("no credentials were even used")
                .hasSize(tokens);
    }

    @Test
    void noCredentialsExitsFourWithTheFix() {
        Map<String, String> noCredentials = new HashMap<>(env());
        noCredentials.remove("GOOGLE_APPLICATION_CREDENTIALS");
        CliRun run = mldev(noCredentials, "deploy", bundle.toString(), "--target", "vertex", "--image", IMAGE);
        assertThat(run.exitCode).isEqualTo(4);
        assertThat(run.err)
                .isEqualTo(
                        "mldev: no Google Cloud credentials found\nhint: run 'gcloud auth application-default login', "
                                + "or set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file\n");
    }

    @Test
    void aRefusedPermissionIsOneLineAndVerboseShowsNoSecret() {
        cloud.faults()
                .failOnce(
                        "EndpointService/ListEndpoints",
                        Faults.permissionDenied("aiplatform.endpoints.list", "projects/x"));
        CliRun run = mldev(env(), "deploy", bundle.toString(), "--target", "vertex", "--image", IMAGE);
        assertThat(run.exitCode).isEqualTo(4);
        assertThat(run.err)
                .startsWith(
                        "mldev: permission denied while listing endpoints in projects/" + FakeGoogleCloud.PROJECT
                                + "/locations/us-central1: the account lacks aiplatform.endpoints.list\nhint: grant roles/aiplatform.user");
        assertThat(run.err.lines().count()).isEqualTo(2);

        cloud.faults().failOnce("EndpointService/ListEndpoints", Faults.status(Code.INTERNAL, "boom"));
        CliRun verbose = mldev(env(), "deploy", bundle.toString(), "--target", "vertex", "--image", IMAGE, "--verbose");
        assertThat(verbose.exitCode).isEqualTo(4);
        assertThat(verbose.err).contains("boom").contains("\tat ");
    }

    @Test
    void vertexPipelineDryRunJsonHasTheFullSpecAndAPredictIsOneRun() throws Exception {
        CliRun plan = mldev(
                env(),
                "deploy",
                bundle.toString(),
                "--target",
                "vertex-pipeline",
                "--name",
                "batch",
                "--image",
                IMAGE,
                "--dry-run",
                "--json");
        assertThat(plan.exitCode).as(plan.toString()).isZero();
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(plan.out);
        assertThat(json.path("pipeline_spec").path("schemaVersion").asText()).isEqualTo("2.1.0");
        assertThat(json.path("pipeline_spec")
                        .path("deploymentSpec")
                        .path("executors")
                        .path("exec-predict")
                        .path("container")
                        .path("resources")
                        .path("accelerator")
                        .path("resourceType")
                        .asText())
                .isEqualTo("NVIDIA_L4");
        assertThat(cloud.storage().objects("mldev-test-bucket").keySet()).noneMatch(k -> k.startsWith("mldev/batch/"));

        CliRun deploy = mldev(
                env(), "deploy", bundle.toString(), "--target", "vertex-pipeline", "--name", "batch", "--image", IMAGE);
        assertThat(deploy.exitCode).as(deploy.toString()).isZero();
        assertThat(deploy.out).startsWith("batch  gs://mldev-test-bucket/mldev/batch/");

        CliRun predict =
                mldev(env(), "predict", upright.toString(), upsideDown.toString(), "--target", "batch", "--json");
        assertThat(predict.exitCode).as(predict.toString()).isZero();
        var results = new com.fasterxml.jackson.databind.ObjectMapper().readTree(predict.out);
        assertThat(results.get(0).path("label").asText()).isEqualTo("0");
        assertThat(results.get(1).path("label").asText()).isEqualTo("180");
        assertThat(predict.err).contains("GPU time billed");

        CliRun undeploy = mldev(env(), "undeploy", "batch", "--yes", "--purge");
        assertThat(undeploy.exitCode).as(undeploy.toString()).isZero();
        assertThat(cloud.storage().objects("mldev-test-bucket").keySet()).noneMatch(k -> k.startsWith("mldev/batch/"));
    }

    @Test
    void dryRunsShowTheServiceAccountTheDeployWouldRunAs() {
        String account = "runner@" + FakeGoogleCloud.PROJECT + ".iam.gserviceaccount.com";
        CliRun endpoint = mldev(
                env(),
                "deploy",
                bundle.toString(),
                "--target",
                "vertex",
                "--image",
                IMAGE,
                "--dry-run",
                "--service-account",
                account);
        assertThat(endpoint.exitCode).as(endpoint.toString()).isZero();
        assertThat(endpoint.out).contains("\"serviceAccount\": \"" + account + "\"");

        CliRun pipeline = mldev(
                env(),
                "deploy",
                bundle.toString(),
                "--target",
                "vertex-pipeline",
                "--image",
                IMAGE,
                "--dry-run",
                "--service-account",
                account);
        assertThat(pipeline.exitCode).as(pipeline.toString()).isZero();
        assertThat(pipeline.out)
                .contains("each predict: PipelineService.CreatePipelineJob running as service account " + account);

        CliRun wrong = mldev(
                env(),
                "deploy",
                bundle.toString(),
                "--target",
                "vertex",
                "--image",
                IMAGE,
                "--dry-run",
                "--service-account",
                "runner");
        assertThat(wrong.exitCode).isEqualTo(2);
        assertThat(wrong.err).contains("--service-account 'runner' is not a service account's email");
    }
}
