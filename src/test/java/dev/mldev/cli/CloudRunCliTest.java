package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.Code;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.fake.FakeTls;
import dev.mldev.fake.Faults;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

/**
 * deploy / predict / status / undeploy --target cloud-run, black-box through the CLI against the fake Cloud Run
 * Admin API, whose instances are this build's {@code mldev serve} started with PORT as Cloud Run starts them.
 */
class CloudRunCliTest {
    static final String IMAGE = "us-docker.pkg.dev/mldev-test-project/mldev/serve:1";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    static FakeGoogleCloud cloud;
    static Path bundle;
    static Path upright;
    final List<String> outputs = new ArrayList<>();

    @BeforeAll
    static void start() {
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
        cloud.runCloudRunServeProcesses(home.resolve("instances"));
        upright = TextImages.write(TextImages.line("Scale to zero"), home.resolve("upright.png"));
    }

    @AfterAll
    static void stop() throws Exception {
        cloud.close();
    }

    @AfterEach
    void noSecretInAnyOutput() {
        cloud.faults().clear();
        for (String text : outputs) {
            assertThat(text).doesNotContainIgnoringCase("authorization:").doesNotContain("Bearer ");
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

    CliRun mldev(String... args) {
        CliRun run = CliRun.run(home, env(), args);
        outputs.add(run.out + run.err);
        return run;
    }

    @Test
    void dryRunPrintsTheServiceAndAForecastWithNoIdleCost() throws Exception {
        CliRun plan = mldev(
                "deploy",
                bundle.toString(),
                "--target",
                "cloud-run",
                "--name",
                "plan",
                "--image",
                IMAGE,
                "--dry-run",
                "--json");
        assertThat(plan.exitCode).as(plan.toString()).isZero();
        JsonNode json = JSON.readTree(plan.out);
        JsonNode template = json.path("service").path("template");
        JsonNode container = template.path("containers").path(0);
        assertThat(template.path("nodeSelector").path("accelerator").asText()).isEqualTo("nvidia-l4");
        assertThat(container.path("resources").path("limits").toString())
                .isEqualTo("{\"cpu\":\"4\",\"memory\":\"16Gi\",\"nvidia.com/gpu\":\"1\"}");
        assertThat(container.path("resources").path("cpuIdle").asBoolean(true)).isFalse();
        assertThat(template.path("scaling").toString()).isEqualTo("{\"minInstanceCount\":0,\"maxInstanceCount\":1}");
        assertThat(template.path("gpuZonalRedundancyDisabled").asBoolean()).isTrue();
        assertThat(json.path("service").path("invokerIamDisabled").asBoolean(true))
                .isFalse();
        assertThat(container.path("startupProbe").path("httpGet").path("path").asText())
                .isEqualTo("/health");
        assertThat(container.path("env").findValuesAsText("value"))
                .anyMatch(v -> v.startsWith("gs://mldev-test-bucket/mldev/plan/"));
        JsonNode forecast = json.path("forecast");
        assertThat(forecast.path("idle_cost_per_hour_usd").decimalValue()).isEqualByComparingTo(BigDecimal.ZERO);
        // 4 vCPU x 0.0648 + 16 GiB x 0.0072 + one L4 at 0.67212, per hour
        assertThat(forecast.path("node_price_per_hour_usd").decimalValue()).isEqualByComparingTo("1.04652");
        assertThat(forecast.path("daily_cost_usd_worst").decimalValue()).isEqualByComparingTo("25.11648");
        assertThat(cloud.cloudRun().services()).isEmpty();
    }

    @Test
    void everyProblemIsReportedBeforeAnyCall() {
        CliRun refused = mldev(
                "deploy",
                bundle.toString(),
                "--target",
                "cloud-run",
                "--name",
                "Bad_Name",
                "--image",
                IMAGE,
                "--region",
                "europe-north1",
                "--max-instances",
                "0",
                "--min-replicas",
                "1");
        assertThat(refused.exitCode).as(refused.toString()).isEqualTo(2);
        assertThat(refused.err)
                .contains("'Bad_Name' cannot name a deployment")
                .contains("Cloud Run has no nvidia-l4 GPUs in europe-north1")
                .contains("--max-instances 0 is outside 1 to 20")
                .contains("--min-replicas does not apply to --target cloud-run");
        assertThat(cloud.cloudRun().services()).isEmpty();
    }

    @Test
    void publicNeedsAConfirmationThatStatesTheWorstCase() {
        CliRun refused = mldev(
                "deploy",
                bundle.toString(),
                "--target",
                "cloud-run",
                "--name",
                "refused",
                "--image",
                IMAGE,
                "--public",
                "--max-instances",
                "2");
        assertThat(refused.exitCode).as(refused.toString()).isEqualTo(2);
        assertThat(refused.err)
                .contains("--public needs confirmation")
                .contains("$2.09/h")
                .contains("2 max instances x $1.05/h")
                .contains("--yes");
        assertThat(cloud.cloudRun().services()).isEmpty();
        assertThat(cloud.storage().objects("mldev-test-bucket").keySet())
                .noneMatch(n -> n.startsWith("mldev/refused/"));
    }

    @Test
    void aFailedRevisionRollsBackTheServiceItCreated() {
        cloud.faults()
                .failOperationOnce(
                        "run.CreateService",
                        Faults.status(
                                Code.RESOURCE_EXHAUSTED,
                                "Quota exceeded for quota metric 'Total Nvidia L4 GPU allocation without zonal redundancy, per project per region'"));
        CliRun failed =
                mldev("deploy", bundle.toString(), "--target", "cloud-run", "--name", "quota", "--image", IMAGE);
        assertThat(failed.exitCode).as(failed.toString()).isEqualTo(4);
        assertThat(failed.err)
                .contains("quota exceeded")
                .contains("rolled back: deleted service mldev-quota")
                .contains("iam-admin/quotas");
        assertThat(cloud.cloudRun().services()).isEmpty();
        assertThat(mldev("status", "--json").out).doesNotContain("\"quota\"");
    }

    @Test
    void deployPredictThroughAColdStartStatusAndUndeploy() throws Exception {
        CliRun deploy = mldev("deploy", bundle.toString(), "--target", "cloud-run", "--name", "cls", "--image", IMAGE);
        assertThat(deploy.exitCode).as(deploy.toString()).isZero();
        assertThat(deploy.out.trim()).matches("cls  https://127\\.0\\.0\\.1:\\d+");
        String url = deploy.out.trim().split("\\s+")[1];
        String service = "projects/" + FakeGoogleCloud.PROJECT + "/locations/us-central1/services/mldev-cls";

        CliRun again = mldev("deploy", bundle.toString(), "--target", "cloud-run", "--name", "cls", "--image", IMAGE);
        assertThat(again.exitCode).as(again.toString()).isZero();
        assertThat(again.out).contains("(unchanged)");

        // private: the URL refuses a caller without an ID token for it
        HttpClient http = HttpClient.newBuilder()
                .sslContext(dev.mldev.cloud.CustomCa.load(FakeTls.get().caPem()).sslContext())
                .build();
        HttpResponse<String> anonymous = http.send(
                HttpRequest.newBuilder(URI.create(url + "/predict"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"instances\":[]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);

        CliRun status = mldev("status");
        assertThat(status.exitCode).as(status.toString()).isZero();
        assertThat(status.out).containsPattern("cls\\s+cloud-run\\s+zero").contains("min instances 0");
        JsonNode statusJson = JSON.readTree(mldev("status", "--json").out);
        JsonNode row = statusJson.findParents("target").stream()
                .filter(n -> n.path("target").asText().equals("cloud-run"))
                .findFirst()
                .orElseThrow();
        assertThat(row.path("idle_cost_per_hour_usd").decimalValue()).isEqualByComparingTo(BigDecimal.ZERO);
        assertThat(row.path("awake_cost_per_hour_usd").decimalValue()).isEqualByComparingTo("1.04652");

        // scale to zero, then a request waits through the cold start
        cloud.cloudRun().setIdleShutdown(Duration.ofMillis(200));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (cloud.cloudRun().instances(service) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(cloud.cloudRun().instances(service)).isZero();
        cloud.cloudRun().setIdleShutdown(Duration.ofMinutes(15));
        int coldStartsBefore = cloud.cloudRun().coldStarts().size();
        CliRun predict = mldev("predict", upright.toString(), "--target", "cls");
        assertThat(predict.exitCode).as(predict.toString()).isZero();
        assertThat(predict.out).startsWith(upright + "  0  ");
        assertThat(cloud.cloudRun().coldStarts()).hasSize(coldStartsBefore + 1);
        System.err.println("cold start through the fake Cloud Run (mldev serve process, CPU): "
                + cloud.cloudRun().coldStarts().get(coldStartsBefore).toMillis() + " ms; predict reported: "
                + predict.err.trim());

        CliRun undeploy = mldev("undeploy", "cls", "--yes");
        assertThat(undeploy.exitCode).as(undeploy.toString()).isZero();
        assertThat(cloud.cloudRun().services()).isEmpty();
        assertThat(mldev("status").out).doesNotContain("cloud-run");
    }

    @Test
    void aPublicServiceAnswersAnyone() throws Exception {
        CliRun deploy = mldev(
                "deploy",
                bundle.toString(),
                "--target",
                "cloud-run",
                "--name",
                "open",
                "--image",
                IMAGE,
                "--public",
                "--yes");
        assertThat(deploy.exitCode).as(deploy.toString()).isZero();
        assertThat(deploy.err)
                .contains("anyone with the URL can start mldev-open")
                .contains("(confirmed by --yes)");
        String url = deploy.out.trim().split("\\s+")[1];
        HttpClient http = HttpClient.newBuilder()
                .sslContext(dev.mldev.cloud.CustomCa.load(FakeTls.get().caPem()).sslContext())
                .build();
        HttpResponse<String> health = http.send(
                HttpRequest.newBuilder(URI.create(url + "/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        CliRun predict = mldev("predict", upright.toString(), "--target", "open");
        assertThat(predict.exitCode).as(predict.toString()).isZero();
        assertThat(mldev("undeploy", "open", "--yes").exitCode).isZero();
    }
}
