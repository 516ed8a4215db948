package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.aiplatform.v1beta1.AcceleratorType;
import com.google.cloud.aiplatform.v1beta1.DedicatedResources;
import com.google.cloud.aiplatform.v1beta1.DeployedModel;
import com.google.cloud.aiplatform.v1beta1.Endpoint;
import com.google.cloud.aiplatform.v1beta1.MachineSpec;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/status.schema.json against the real output of {@code status --json} (local and Vertex AI deployments, with
 * and without the gate) and of {@code deploy --dry-run --json}, so the published schema cannot drift from the code.
 */
class JsonSchemaTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path SCHEMA = Path.of("docs/status.schema.json").toAbsolutePath();
    static final String LOCATION = "projects/" + FakeGoogleCloud.PROJECT + "/locations/" + FakeGoogleCloud.REGION;

    @TempDir
    static Path home;

    static FakeGoogleCloud cloud;
    static Path bundle;

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
        cloud.vertex().putEndpoint(endpoint("101", "always-on", 1, null), 1);
        cloud.vertex().putEndpoint(endpoint("102", "sleepy", 0, 1800L), 0);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        cloud.close();
    }

    static Endpoint endpoint(String id, String name, int minReplicas, Long idleSeconds) {
        DedicatedResources.Builder resources = DedicatedResources.newBuilder()
                .setMachineSpec(MachineSpec.newBuilder()
                        .setMachineType("g2-standard-8")
                        .setAcceleratorType(AcceleratorType.NVIDIA_L4)
                        .setAcceleratorCount(1))
                .setMinReplicaCount(minReplicas)
                .setMaxReplicaCount(2);
        if (idleSeconds != null) {
            resources.setScaleToZeroSpec(DedicatedResources.ScaleToZeroSpec.newBuilder()
                    .setIdleScaledownPeriod(
                            com.google.protobuf.Duration.newBuilder().setSeconds(idleSeconds))
                    .setMinScaleupPeriod(
                            com.google.protobuf.Duration.newBuilder().setSeconds(3600)));
        }
        return Endpoint.newBuilder()
                .setName(LOCATION + "/endpoints/" + id)
                .setDisplayName(name)
                .addDeployedModels(DeployedModel.newBuilder().setId(id + "1").setDedicatedResources(resources))
                .build();
    }

    static JsonSchema schema(String fragment) {
        SchemaValidatorsConfig config =
                SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(SchemaLocation.of(SCHEMA.toUri() + fragment), config);
    }

    static Set<ValidationMessage> problems(String fragment, JsonNode document) {
        return schema(fragment).validate(document);
    }

    Map<String, String> env() {
        Map<String, String> env = new HashMap<>(cloud.environment(home));
        env.put("MLDEV_PROJECT", FakeGoogleCloud.PROJECT);
        env.put("MLDEV_REGION", FakeGoogleCloud.REGION);
        env.put("MLDEV_BUCKET", "mldev-test-bucket");
        return env;
    }

    @Test
    void statusWithVertexDeploymentsAndTheGateMatchesTheSchema() throws Exception {
        CliRun gated = CliRun.run(home, env(), "status", "--json", "--max-idle-cost", "0");
        assertThat(gated.exitCode).as(gated.toString()).isEqualTo(3);
        JsonNode document = JSON.readTree(gated.out);
        assertThat(document.path("deployments")).hasSize(2);
        assertThat(document.path("gate").path("passed").asBoolean()).isFalse();
        assertThat(problems("", document)).as(gated.out).isEmpty();
    }

    @Test
    void localStatusMatchesTheSchema() throws Exception {
        CliRun local = CliRun.run(home, "status", "--json");
        assertThat(local.exitCode).as(local.toString()).isZero();
        assertThat(problems("", JSON.readTree(local.out))).as(local.out).isEmpty();
    }

    @Test
    void deployDryRunMatchesTheSchemasDeployPlan() throws Exception {
        CliRun plan = CliRun.run(
                home,
                env(),
                "deploy",
                bundle.toString(),
                "--target",
                "vertex",
                "--image",
                "us-docker.pkg.dev/mldev-test-project/mldev/serve:1",
                "--dry-run",
                "--json",
                "--gpu",
                "nvidia-l4");
        assertThat(plan.exitCode).as(plan.toString()).isZero();
        assertThat(problems("#/$defs/deploy_plan", JSON.readTree(plan.out)))
                .as(plan.out)
                .isEmpty();

        CliRun pipeline = CliRun.run(
                home,
                env(),
                "deploy",
                bundle.toString(),
                "--target",
                "vertex-pipeline",
                "--image",
                "us-docker.pkg.dev/mldev-test-project/mldev/serve:1",
                "--dry-run",
                "--json",
                "--gpu",
                "nvidia-l4");
        assertThat(pipeline.exitCode).as(pipeline.toString()).isZero();
        assertThat(problems("#/$defs/deploy_plan", JSON.readTree(pipeline.out)))
                .as(pipeline.out)
                .isEmpty();
    }

    /** The schema checks something: each of these breaks a rule a reader relies on. */
    @Test
    void documentsThatBreakSchemaOneAreRefused() throws Exception {
        ObjectNode good = (ObjectNode) JSON.readTree(CliRun.run(home, env(), "status", "--json").out);
        ObjectNode wrongSchema = good.deepCopy().put("schema", 2);
        ObjectNode textMoney = good.deepCopy().put("total_idle_cost_per_hour_usd", "0.98");
        ObjectNode badState = good.deepCopy();
        ((ObjectNode) badState.path("deployments").get(0)).put("state", "asleep");
        ObjectNode noName = good.deepCopy();
        ((ObjectNode) noName.path("deployments").get(0)).remove("name");
        ObjectNode badTime = good.deepCopy().put("generated_at", "yesterday");

        assertThat(problems("", good)).isEmpty();
        for (JsonNode broken : new JsonNode[] {wrongSchema, textMoney, badState, noName, badTime}) {
            assertThat(problems("", broken)).as(broken.toString()).isNotEmpty();
        }
    }
}
