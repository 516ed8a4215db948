package dev.mldev.deploy.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.longrunning.OperationFuture;
import com.google.api.gax.rpc.FailedPreconditionException;
import com.google.api.gax.rpc.InvalidArgumentException;
import com.google.cloud.aiplatform.v1beta1.DeployModelOperationMetadata;
import com.google.cloud.aiplatform.v1beta1.DeployModelResponse;
import com.google.cloud.aiplatform.v1beta1.Endpoint;
import com.google.cloud.aiplatform.v1beta1.Model;
import com.google.longrunning.Operation;
import com.google.rpc.Code;
import dev.mldev.Environment;
import dev.mldev.Progress;
import dev.mldev.cloud.CloudContext;
import dev.mldev.fake.FakeGoogleCloud;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fake Vertex AI refuses and delays what the real one does, through the generated v1beta1 clients. */
class FakeVertexStrictnessTest {
    @TempDir
    Path home;

    FakeGoogleCloud cloud;
    VertexClients vertex;
    VertexSpec spec;

    @BeforeEach
    void start() {
        cloud = new FakeGoogleCloud();
        cloud.storage().createBucket("mldev-test-bucket");
        cloud.storage().put("mldev-test-bucket", "mldev/demo/1/model.onnx", new byte[] {1});
        CloudContext context = CloudContext.connect(
                new Environment(cloud.environment(home), home), FakeGoogleCloud.PROJECT, FakeGoogleCloud.REGION);
        vertex = VertexClients.open(context, VertexDeployerTest.FAST);
        spec = VertexSpec.check(
                new VertexSpec.Flags(
                        "demo",
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
                        TestBundle.IMAGE,
                        null),
                TestBundle.write(home.resolve("bundle"), "demo", "1", new byte[] {1})
                        .manifest());
    }

    @AfterEach
    void stop() throws InterruptedException {
        vertex.close();
        cloud.close();
    }

    Endpoint createEndpoint() {
        return vertex.operation(
                "creating",
                () -> vertex.endpoints.createEndpointAsync(vertex.cloud.location(), VertexResources.endpoint(spec)),
                Progress.NONE);
    }

    Model uploadModel() {
        String name = vertex.operation(
                        "uploading",
                        () -> vertex.models.uploadModelAsync(
                                vertex.cloud.location(),
                                VertexResources.model(spec, "1", "gs://mldev-test-bucket/mldev/demo/1/", "key")),
                        Progress.NONE)
                .getModel();
        return vertex.models.getModel(name);
    }

    OperationFuture<DeployModelResponse, DeployModelOperationMetadata> startDeploy(Endpoint endpoint, Model model) {
        return vertex.endpoints.deployModelAsync(
                endpoint.getName(),
                VertexResources.deployedModel(spec, model.getName(), "1"),
                VertexResources.allTrafficToNew());
    }

    @Test
    void aDedicatedEndpointHasNoDnsNameAtCreationAndGetsItLater() throws Exception {
        cloud.vertex().setDnsDelay(Duration.ofMillis(400));
        Endpoint created = createEndpoint();
        assertThat(created.getDedicatedEndpointDns()).isEmpty();
        assertThat(vertex.endpoints.getEndpoint(created.getName()).getDedicatedEndpointDns())
                .isEmpty();

        Thread.sleep(450);

        assertThat(vertex.endpoints.getEndpoint(created.getName()).getDedicatedEndpointDns())
                .startsWith("127.0.0.1:");
        assertThat(vertex.awaitDedicatedDns(created, Progress.NONE).getDedicatedEndpointDns())
                .startsWith("127.0.0.1:");
    }

    @Test
    void aSecondDeployModelWhileOneRunsIsRefused() throws Exception {
        Endpoint endpoint = createEndpoint();
        Model model = uploadModel();
        cloud.operations().setDelay(Duration.ofSeconds(2));
        startDeploy(endpoint, model).getInitialFuture().get();

        assertThatThrownBy(() -> startDeploy(endpoint, model).getInitialFuture().get())
                .hasCauseInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("has an operation in progress");
    }

    @Test
    void cancellingARunningDeployModelUndoesItAndEndsCancelled() throws Exception {
        Endpoint endpoint = createEndpoint();
        Model model = uploadModel();
        cloud.operations().setDelay(Duration.ofSeconds(30));
        String operation = startDeploy(endpoint, model).getInitialFuture().get().getName();

        vertex.endpoints.getOperationsClient().cancelOperation(operation);

        Operation cancelled = vertex.endpoints.getOperationsClient().getOperation(operation);
        assertThat(cancelled.getDone()).isTrue();
        assertThat(cancelled.getError().getCode()).isEqualTo(Code.CANCELLED_VALUE);
        assertThat(vertex.endpoints.getEndpoint(endpoint.getName()).getDeployedModelsList())
                .isEmpty();
        assertThat(cloud.vertex().deployedModels()).isEmpty();
    }

    @Test
    void listFiltersAreParsedAsGooglesFilterSyntax() {
        createEndpoint();
        assertThat(vertex.listEndpoints(VertexResources.labelFilter("demo"))).hasSize(1);
        assertThat(vertex.listEndpoints("labels.mldev-name = \"demo\" AND labels.managed-by != \"someone-else\""))
                .hasSize(1);
        assertThat(vertex.listEndpoints("labels.mldev-name=\"other\"")).isEmpty();
        assertThat(vertex.listEndpoints("labels.mldev-name!=\"demo\"")).isEmpty();

        for (String wrong : new String[] {
            "color=\"red\"",
            "labels.mldev-name=\"demo",
            "labels.mldev-name > \"demo\"",
            "labels.mldev-name=\"demo\" AND"
        }) {
            assertThatThrownBy(() -> vertex.endpoints
                            .listEndpoints(com.google.cloud.aiplatform.v1beta1.ListEndpointsRequest.newBuilder()
                                    .setParent(vertex.cloud.location())
                                    .setFilter(wrong)
                                    .build())
                            .iterateAll()
                            .iterator()
                            .next())
                    .as(wrong)
                    .isInstanceOf(InvalidArgumentException.class);
        }
    }
}
