package dev.mldev.target.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.aiplatform.v1beta1.AcceleratorType;
import com.google.cloud.aiplatform.v1beta1.DeployedModel;
import com.google.cloud.aiplatform.v1beta1.Endpoint;
import com.google.rpc.Code;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.bundle.Bundle;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.Retry;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.fake.Faults;
import dev.mldev.target.DeploymentStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class VertexDeployerTest {
    static final VertexClients.Polling FAST = new VertexClients.Polling(Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(30));

    @TempDir
    Path home;
    FakeGoogleCloud cloud;
    DeploymentStore store;
    CloudContext context;
    VertexDeployer deployer;

    @BeforeEach
    void start() {
        cloud = new FakeGoogleCloud();
        cloud.storage().createBucket("mldev-test-bucket");
        cloud.operations().setDelay(Duration.ofMillis(50));
        Environment env = new Environment(cloud.environment(home), home);
        store = new DeploymentStore(env.stateDir());
        context = CloudContext.connect(env, FakeGoogleCloud.PROJECT, FakeGoogleCloud.REGION)
                .withRetry(new Retry(FakeGoogleCloud.PROJECT, 3, Duration.ofMillis(10), Duration.ofMillis(40)));
        deployer = new VertexDeployer(store, FAST);
    }

    @AfterEach
    void stop() throws InterruptedException {
        cloud.close();
    }

    static VertexSpec spec(String name) {
        return VertexSpec.check(new VertexSpec.Flags(name, FakeGoogleCloud.PROJECT, FakeGoogleCloud.REGION, "mldev-test-bucket",
                null, null, null, null, null, null, null, null), TestBundle.write(Path.of("unused"), name, "1", new byte[0]).manifest());
    }

    Bundle bundle(String version, String modelText) {
        return TestBundle.write(home.resolve("bundle-" + version), "demo", version, modelText.getBytes(StandardCharsets.UTF_8));
    }

    VertexSpec spec(Bundle bundle) {
        return VertexSpec.check(new VertexSpec.Flags(null, FakeGoogleCloud.PROJECT, FakeGoogleCloud.REGION, "mldev-test-bucket",
                null, null, null, null, null, null, null, null), bundle.manifest());
    }

    @Test
    void deploysEndToEndThroughAdcWithTheServiceAccountFile() {
        Bundle bundle = bundle("1.0.0", "model-v1");
        VertexDeployer.Outcome outcome = deployer.deploy(context, bundle, spec(bundle), Progress.NONE);

        assertThat(outcome.changed()).isTrue();
        assertThat(cloud.auth().issuedTokens()).as("the token endpoint was called with the signed JWT").isNotEmpty();
        assertThat(cloud.storage().objects("mldev-test-bucket")).containsOnlyKeys(
                "mldev/demo/1-0-0/labels.txt", "mldev/demo/1-0-0/mldev.json", "mldev/demo/1-0-0/model.onnx");
        Endpoint endpoint = cloud.vertex().endpoints().get(0);
        assertThat(endpoint.getDedicatedEndpointEnabled()).isTrue();
        assertThat(endpoint.getLabelsMap()).containsEntry("managed-by", "mldev").containsEntry("mldev-name", "demo");
        DeployedModel deployed = endpoint.getDeployedModels(0);
        var resources = deployed.getDedicatedResources();
        assertThat(resources.getMinReplicaCount()).isZero();
        assertThat(resources.getMaxReplicaCount()).isEqualTo(1);
        assertThat(resources.getInitialReplicaCount()).isEqualTo(1);
        assertThat(resources.getScaleToZeroSpec().getIdleScaledownPeriod().getSeconds()).isEqualTo(3600);
        assertThat(resources.getScaleToZeroSpec().getMinScaleupPeriod().getSeconds()).isEqualTo(3600);
        assertThat(resources.getMachineSpec().getMachineType()).isEqualTo("g2-standard-4");
        assertThat(resources.getMachineSpec().getAcceleratorType()).isEqualTo(AcceleratorType.NVIDIA_L4);
        assertThat(resources.getMachineSpec().getAcceleratorCount()).isEqualTo(1);
        assertThat(endpoint.getTrafficSplitMap()).containsExactly(java.util.Map.entry(deployed.getId(), 100));
        var model = cloud.vertex().models().get(0);
        assertThat(model.getArtifactUri()).isEqualTo("gs://mldev-test-bucket/mldev/demo/1-0-0/");
        assertThat(model.getContainerSpec().getImageUri()).isEqualTo(TestBundle.IMAGE);
        assertThat(model.getContainerSpec().getPorts(0).getContainerPort()).isEqualTo(8080);
        assertThat(model.getContainerSpec().getPredictRoute()).isEqualTo("/predict");
        assertThat(model.getContainerSpec().getHealthRoute()).isEqualTo("/health");

        var record = store.find("demo").orElseThrow();
        assertThat(record.target()).isEqualTo("vertex");
        assertThat(record.detail("endpoint")).isEqualTo(endpoint.getName());
        assertThat(record.detail("deployed_model_id")).isEqualTo(deployed.getId());
        assertThat(record.detail("state")).isEqualTo("deployed");
        assertThat(record.url()).isEqualTo("https://" + endpoint.getDedicatedEndpointDns() + "/v1beta1/" + endpoint.getName() + ":predict");
    }
}
