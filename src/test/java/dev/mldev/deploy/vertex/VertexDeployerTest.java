package dev.mldev.deploy.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.google.cloud.aiplatform.v1beta1.AcceleratorType;
import com.google.cloud.aiplatform.v1beta1.DeployedModel;
import com.google.cloud.aiplatform.v1beta1.Endpoint;
import com.google.rpc.Code;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.TargetKind;
import dev.mldev.bundle.Bundle;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.Retry;
import dev.mldev.deploy.DeploymentStore;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.fake.Faults;
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
    static final VertexClients.Polling FAST = new VertexClients.Polling(
            Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ofSeconds(10));

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

    Bundle bundle(String version, String modelText) {
        return TestBundle.write(
                home.resolve("bundle-" + version), "demo", version, modelText.getBytes(StandardCharsets.UTF_8));
    }

    VertexSpec spec(Bundle bundle) {
        return VertexSpec.check(
                new VertexSpec.Flags(
                        null,
                        FakeGoogleCloud.PROJECT,
                        FakeGoogleCloud.REGION,
                        "mldev-test-bucket",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null),
                bundle.manifest());
    }

    @Test
    void deploysEndToEndThroughAdcWithTheServiceAccountFile() {
        Bundle bundle = bundle("1.0.0", "model-v1");
        VertexDeployer.Outcome outcome = deployer.deploy(context, bundle, spec(bundle), Progress.NONE);

        assertThat(outcome.changed()).isTrue();
        assertThat(cloud.auth().issuedTokens())
                .as("the token endpoint was called with the signed JWT")
                .isNotEmpty();
        assertThat(cloud.storage().objects("mldev-test-bucket"))
                .containsOnlyKeys(
                        "mldev/demo/1-0-0/labels.txt", "mldev/demo/1-0-0/mldev.json", "mldev/demo/1-0-0/model.onnx");
        Endpoint endpoint = cloud.vertex().endpoints().get(0);
        assertThat(endpoint.getDedicatedEndpointEnabled()).isTrue();
        assertThat(endpoint.getLabelsMap()).containsEntry("managed-by", "mldev").containsEntry("mldev-name", "demo");
        DeployedModel deployed = endpoint.getDeployedModels(0);
        var resources = deployed.getDedicatedResources();
        assertThat(resources.getMinReplicaCount()).isZero();
        assertThat(resources.getMaxReplicaCount()).isEqualTo(1);
        assertThat(resources.getInitialReplicaCount()).isEqualTo(1);
        assertThat(resources.getScaleToZeroSpec().getIdleScaledownPeriod().getSeconds())
                .isEqualTo(3600);
        assertThat(resources.getScaleToZeroSpec().getMinScaleupPeriod().getSeconds())
                .isEqualTo(3600);
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
        assertThat(record.target()).isEqualTo(TargetKind.VERTEX);
        assertThat(record.detail("endpoint")).isEqualTo(endpoint.getName());
        assertThat(record.detail("deployed_model_id")).isEqualTo(deployed.getId());
        assertThat(record.detail("state")).isEqualTo("deployed");
        assertThat(record.url())
                .isEqualTo("https://" + endpoint.getDedicatedEndpointDns() + "/v1beta1/" + endpoint.getName()
                        + ":predict");
    }

    @Test
    void theSameBundleAgainChangesNothing() {
        Bundle bundle = bundle("1.0.0", "model-v1");
        deployer.deploy(context, bundle, spec(bundle), Progress.NONE);
        long uploads = cloud.storage().uploadRequests();
        var endpointsBefore = cloud.vertex().endpoints();
        var modelsBefore = cloud.vertex().models();

        VertexDeployer.Outcome again = deployer.deploy(context, bundle, spec(bundle), Progress.NONE);

        assertThat(again.changed()).isFalse();
        assertThat(cloud.storage().uploadRequests()).as("nothing uploaded").isEqualTo(uploads);
        assertThat(cloud.vertex().models()).isEqualTo(modelsBefore);
        assertThat(cloud.vertex().endpoints())
                .extracting(Endpoint::getName, Endpoint::getUpdateTime, Endpoint::getTrafficSplitMap)
                .isEqualTo(endpointsBefore.stream()
                        .map(e -> tuple(e.getName(), e.getUpdateTime(), e.getTrafficSplitMap()))
                        .toList());
    }

    @Test
    void aNewVersionIsDeployedBesideTheOldTakesAllTrafficThenTheOldIsUndeployed() {
        Bundle v1 = bundle("1.0.0", "model-v1");
        VertexDeployer.Outcome first = deployer.deploy(context, v1, spec(v1), Progress.NONE);
        Bundle v2 = bundle("2.0.0", "model-v2");

        VertexDeployer.Outcome second = deployer.deploy(context, v2, spec(v2), Progress.NONE);

        assertThat(second.changed()).isTrue();
        assertThat(second.replacedDeployedModels())
                .containsExactly(first.deployment().deployedModelId());
        assertThat(cloud.vertex().endpoints()).hasSize(1);
        Endpoint endpoint = cloud.vertex().endpoints().get(0);
        assertThat(endpoint.getName()).isEqualTo(first.deployment().endpoint());
        assertThat(endpoint.getDeployedModelsList())
                .extracting(DeployedModel::getId)
                .containsExactly(second.deployment().deployedModelId());
        assertThat(endpoint.getTrafficSplitMap())
                .containsExactly(java.util.Map.entry(second.deployment().deployedModelId(), 100));
        assertThat(cloud.storage().objects("mldev-test-bucket")).containsKey("mldev/demo/2-0-0/model.onnx");
        assertThat(store.find("demo").orElseThrow().version()).isEqualTo("2.0.0");
    }

    static Stream<Arguments> faultAtEachStep() {
        return Stream.of(
                Arguments.of(
                        "bundle upload",
                        (java.util.function.Consumer<Faults>)
                                f -> f.failAlways(
                                        "storage/upload",
                                        Faults.status(
                                                Code.PERMISSION_DENIED,
                                                "mldev-test does not have storage.objects.create access to the Google Cloud Storage object."))),
                Arguments.of("model upload call", (java.util.function.Consumer<Faults>)
                        f -> f.failOnce("ModelService/UploadModel", Faults.status(Code.INVALID_ARGUMENT, "bad model"))),
                Arguments.of("model upload operation", (java.util.function.Consumer<Faults>) f ->
                        f.failOperationOnce("ModelService/UploadModel", Faults.status(Code.INTERNAL, "upload failed"))),
                Arguments.of("endpoint creation", (java.util.function.Consumer<Faults>) f -> f.failOperationOnce(
                        "EndpointService/CreateEndpoint", Faults.status(Code.RESOURCE_EXHAUSTED, "quota"))),
                Arguments.of("deploy call", (java.util.function.Consumer<Faults>) f -> f.failOnce(
                        "EndpointService/DeployModel",
                        Faults.permissionDenied("aiplatform.endpoints.deploy", "projects/p"))),
                Arguments.of("deploy half-way", (java.util.function.Consumer<Faults>) f -> f.failOperationOnce(
                        "EndpointService/DeployModel",
                        Faults.status(Code.INTERNAL, "Model server never became ready."))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faultAtEachStep")
    void aFailureAtAnyStepRollsBackWhatTheRunCreated(String step, java.util.function.Consumer<Faults> fault) {
        fault.accept(cloud.faults());
        Bundle bundle = bundle("1.0.0", "model-v1");

        assertThatThrownBy(() -> deployer.deploy(context, bundle, spec(bundle), Progress.NONE))
                .isInstanceOf(MldevException.class)
                .satisfies(e -> assertThat(((MldevException) e).kind()).isEqualTo(MldevException.Kind.REMOTE))
                .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("rolled back", "nothing had been created"));

        assertThat(cloud.vertex().endpoints()).as("no endpoint left").isEmpty();
        assertThat(cloud.vertex().models()).as("no model left").isEmpty();
        assertThat(cloud.vertex().deployedModels()).isEmpty();
        assertThat(store.find("demo")).as("no record left").isEmpty();
    }

    @Test
    void aFailedReplacementLeavesTheOldVersionServing() {
        Bundle v1 = bundle("1.0.0", "model-v1");
        VertexDeployer.Outcome first = deployer.deploy(context, v1, spec(v1), Progress.NONE);
        cloud.faults()
                .failOperationOnce("EndpointService/DeployModel", Faults.status(Code.INTERNAL, "container crashed"));
        Bundle v2 = bundle("2.0.0", "model-v2");

        assertThatThrownBy(() -> deployer.deploy(context, v2, spec(v2), Progress.NONE))
                .hasMessageContaining("container crashed")
                .hasMessageContaining("rolled back: deleted model");

        Endpoint endpoint = cloud.vertex().endpoints().get(0);
        assertThat(endpoint.getDeployedModelsList())
                .extracting(DeployedModel::getId)
                .containsExactly(first.deployment().deployedModelId());
        assertThat(endpoint.getTrafficSplitMap())
                .containsEntry(first.deployment().deployedModelId(), 100);
        assertThat(cloud.vertex().models()).hasSize(1);
        assertThat(store.find("demo").orElseThrow().version()).isEqualTo("1.0.0");
    }

    @Test
    void anInterruptedRunIsFinishedByRunningItAgain() {
        Bundle bundle = bundle("1.0.0", "model-v1");
        cloud.faults().failOnce("EndpointService/DeployModel", Faults.status(Code.CANCELLED, "client went away"));
        assertThatThrownBy(() -> deployer.deploy(context, bundle, spec(bundle), Progress.NONE))
                .isInstanceOf(MldevException.class);

        VertexDeployer.Outcome again = deployer.deploy(context, bundle, spec(bundle), Progress.NONE);

        assertThat(again.changed()).isTrue();
        assertThat(cloud.vertex().endpoints()).hasSize(1);
        assertThat(cloud.vertex().deployedModels()).hasSize(1);
    }

    @Test
    void unavailableIsRetriedAndOtherErrorsAreNot() {
        cloud.faults().failOnce("EndpointService/ListEndpoints", Faults.status(Code.UNAVAILABLE, "try again"));
        cloud.faults().failOnce("ModelService/ListModels", Faults.status(Code.DEADLINE_EXCEEDED, "slow"));
        Bundle bundle = bundle("1.0.0", "model-v1");
        assertThat(deployer.deploy(context, bundle, spec(bundle), Progress.NONE).changed())
                .isTrue();

        cloud.faults().failOnce("EndpointService/ListEndpoints", Faults.status(Code.INVALID_ARGUMENT, "bad filter"));
        assertThatThrownBy(() -> deployer.deploy(context, bundle, spec(bundle), Progress.NONE))
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("bad filter");
    }

    @Test
    void aGpuQuotaRefusalNamesTheQuotaAndHowToRaiseIt() {
        cloud.faults()
                .failOperationOnce(
                        "EndpointService/DeployModel",
                        com.google.rpc.Status.newBuilder()
                                .setCode(Code.RESOURCE_EXHAUSTED_VALUE)
                                .setMessage("The following quota metrics exceed quota limits:"
                                        + " aiplatform.googleapis.com/custom_model_serving_nvidia_l4_gpus")
                                .build());
        Bundle bundle = bundle("1.0.0", "model-v1");

        assertThatThrownBy(() -> deployer.deploy(context, bundle, spec(bundle), Progress.NONE))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining(
                        "quota exceeded for aiplatform.googleapis.com/custom_model_serving_nvidia_l4_gpus")
                .satisfies(
                        e -> assertThat(((MldevException) e).hint())
                                .startsWith(
                                        "waiting does not help: request a higher quota at https://console.cloud.google.com/iam-admin/quotas?project="
                                                + FakeGoogleCloud.PROJECT
                                                + " (filter by aiplatform.googleapis.com/custom_model_serving_nvidia_l4_gpus)"));
    }
}
