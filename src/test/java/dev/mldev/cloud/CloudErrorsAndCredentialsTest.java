package dev.mldev.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.auth.oauth2.ComputeEngineCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.auth.oauth2.UserCredentials;
import com.google.cloud.aiplatform.v1beta1.EndpointServiceClient;
import com.google.cloud.aiplatform.v1beta1.EndpointServiceSettings;
import com.google.cloud.aiplatform.v1beta1.ListEndpointsRequest;
import com.google.rpc.Code;
import com.sun.net.httpserver.HttpServer;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.fake.Faults;
import java.net.InetSocketAddress;
import java.nio.file.Files;
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
 * Credentials found as gcloud finds them, and Google Cloud's errors translated into one line with the fix:
 * real client calls against the fake, with the faults injected there.
 */
class CloudErrorsAndCredentialsTest {
    static FakeGoogleCloud cloud;

    @TempDir
    Path home;

    final List<MldevException> seen = new ArrayList<>();

    @BeforeAll
    static void start() {
        cloud = new FakeGoogleCloud();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        cloud.close();
    }

    @AfterEach
    void noSecretInAnyMessage() {
        cloud.faults().clear();
        String key = cloud.serviceAccount()
                .privateKeyPem()
                .lines()
                .skip(1)
                .findFirst()
                .orElseThrow();
        for (MldevException e : seen) {
            String text = e.getMessage() + "\n" + e.hint();
            assertThat(text).doesNotContain(key).doesNotContain("Bearer").doesNotContain("refresh-secret");
            cloud.auth().issuedTokens().forEach(token -> assertThat(text).doesNotContain(token));
        }
    }

    CloudContext connect(Map<String, String> env) {
        return CloudContext.connect(new Environment(env, home), FakeGoogleCloud.PROJECT, FakeGoogleCloud.REGION)
                .withRetry(new Retry(FakeGoogleCloud.PROJECT, 3, Duration.ofMillis(10), Duration.ofMillis(30)));
    }

    /** Lists endpoints with the real v1beta1 client, as deploy does first. */
    int listEndpoints(CloudContext context) throws Exception {
        EndpointServiceSettings settings = context.configureAiplatform(EndpointServiceSettings.newBuilder())
                .build();
        try (EndpointServiceClient client = EndpointServiceClient.create(settings)) {
            return context.retry().call("listing endpoints", () -> {
                List<Object> all = new ArrayList<>();
                client.listEndpoints(ListEndpointsRequest.newBuilder()
                                .setParent(context.location())
                                .build())
                        .iterateAll()
                        .forEach(all::add);
                return all.size();
            });
        }
    }

    MldevException failure(CloudContext context) {
        try {
            listEndpoints(context);
        } catch (MldevException e) {
            seen.add(e);
            assertThat(e.kind()).isEqualTo(MldevException.Kind.REMOTE);
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the call succeeded");
    }

    @Test
    void theServiceAccountKeyNamedByGoogleApplicationCredentialsIsUsed() throws Exception {
        CloudContext context = connect(cloud.environment(home));
        assertThat(context.credentials()).isInstanceOf(ServiceAccountCredentials.class);
        assertThat(listEndpoints(context)).isZero();
    }

    @Test
    void gcloudsAdcFileIsUsedWhenNoVariableIsSet() throws Exception {
        cloud.auth().addUser("client-123.apps.googleusercontent.com", "refresh-secret");
        Path adc = home.resolve(".config/gcloud/application_default_credentials.json");
        Files.createDirectories(adc.getParent());
        Files.writeString(
                adc,
                "{\"type\":\"authorized_user\",\"client_id\":\"client-123.apps.googleusercontent.com\","
                        + "\"client_secret\":\"client-secret\",\"refresh_token\":\"refresh-secret\",\"token_uri\":\""
                        + cloud.tokenUri() + "\"}");

        CloudContext context = connect(cloud.baseEnvironment());

        assertThat(context.credentials()).isInstanceOf(UserCredentials.class);
        assertThat(listEndpoints(context)).isZero();
    }

    @Test
    void cloudsdkConfigMovesGcloudsDirectory() {
        assertThat(AdcCredentials.gcloudAdcFile(new Environment(Map.of("CLOUDSDK_CONFIG", "/etc/gcloud"), home)))
                .isEqualTo(Path.of("/etc/gcloud/application_default_credentials.json"));
        assertThat(AdcCredentials.gcloudAdcFile(new Environment(Map.of(), home)))
                .isEqualTo(home.resolve(".config/gcloud/application_default_credentials.json"));
    }

    @Test
    void theMetadataServerIsUsedOnGoogleCloudMachines() throws Exception {
        HttpServer metadata = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        metadata.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Metadata-Flavor", "Google");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        metadata.start();
        try {
            Map<String, String> env = new HashMap<>(cloud.baseEnvironment());
            env.remove("NO_GCE_CHECK");
            env.put("GCE_METADATA_HOST", "127.0.0.1:" + metadata.getAddress().getPort());
            assertThat(AdcCredentials.load(new Environment(env, home), CloudEndpoints.from(new Environment(env, home))))
                    .isInstanceOf(ComputeEngineCredentials.class);
        } finally {
            metadata.stop(0);
        }
    }

    @Test
    void noCredentialsSaysHowToGetThem() {
        try {
            connect(cloud.baseEnvironment());
            throw new AssertionError("connected without credentials");
        } catch (MldevException e) {
            seen.add(e);
            assertThat(e.kind()).isEqualTo(MldevException.Kind.REMOTE);
            assertThat(e.getMessage()).isEqualTo("no Google Cloud credentials found");
            assertThat(e.hint())
                    .contains("gcloud auth application-default login")
                    .contains("GOOGLE_APPLICATION_CREDENTIALS");
        }
        Map<String, String> env = new HashMap<>(cloud.baseEnvironment());
        env.put("GOOGLE_APPLICATION_CREDENTIALS", home.resolve("missing.json").toString());
        try {
            connect(env);
            throw new AssertionError("connected with a missing key file");
        } catch (MldevException e) {
            seen.add(e);
            assertThat(e.kind()).isEqualTo(MldevException.Kind.REMOTE);
            assertThat(e.getMessage()).contains("missing.json").contains("does not exist");
        }
    }

    @Test
    void permissionDeniedNamesThePermissionAndTheRole() {
        CloudContext context = connect(cloud.environment(home));
        cloud.faults()
                .failOnce(
                        "EndpointService/ListEndpoints",
                        Faults.permissionDenied("aiplatform.endpoints.list", context.location()));
        MldevException e = failure(context);
        assertThat(e.getMessage())
                .isEqualTo("permission denied while listing endpoints: the account lacks aiplatform.endpoints.list");
        assertThat(e.hint())
                .isEqualTo("grant roles/aiplatform.user: gcloud projects add-iam-policy-binding "
                        + FakeGoogleCloud.PROJECT + " --member=ACCOUNT --role=roles/aiplatform.user");
    }

    @Test
    void permissionDeniedWithoutDetailsIsReadFromTheMessage() {
        CloudContext context = connect(cloud.environment(home));
        cloud.faults()
                .failOnce(
                        "EndpointService/ListEndpoints",
                        Faults.status(
                                Code.PERMISSION_DENIED,
                                "Permission 'iam.serviceAccounts.actAs' denied on service account x@y.iam.gserviceaccount.com"));
        MldevException e = failure(context);
        assertThat(e.getMessage()).endsWith("lacks iam.serviceAccounts.actAs");
        assertThat(e.hint()).contains("roles/iam.serviceAccountUser");
    }

    @Test
    void aDisabledApiIsNamedWithTheCommandThatEnablesIt() {
        CloudContext context = connect(cloud.environment(home));
        cloud.faults()
                .failOnce(
                        "EndpointService/ListEndpoints",
                        Faults.serviceDisabled("aiplatform.googleapis.com", FakeGoogleCloud.PROJECT));
        MldevException e = failure(context);
        assertThat(e.getMessage())
                .isEqualTo("the aiplatform.googleapis.com API is not enabled in project " + FakeGoogleCloud.PROJECT
                        + " (listing endpoints)");
        assertThat(e.hint())
                .isEqualTo("enable it: gcloud services enable aiplatform.googleapis.com --project "
                        + FakeGoogleCloud.PROJECT);
    }

    @Test
    void refusedCredentialsAreReportedWithoutTheToken() throws Exception {
        CloudContext context = connect(cloud.environment(home));
        listEndpoints(context);
        cloud.auth().revokeAll();
        MldevException e = failure(context);
        assertThat(e.getMessage()).isEqualTo("Google Cloud refused the credentials while listing endpoints");
        assertThat(e.hint()).contains("gcloud auth application-default login");
    }

    @Test
    void transientErrorsAreRetriedAndTheLastOneReported() throws Exception {
        CloudContext context = connect(cloud.environment(home));
        cloud.faults()
                .failOnce("EndpointService/ListEndpoints", Faults.status(Code.UNAVAILABLE, "down"))
                .failOnce("EndpointService/ListEndpoints", Faults.status(Code.RESOURCE_EXHAUSTED, "quota"));
        assertThat(listEndpoints(context)).isZero();

        cloud.faults().failAlways("EndpointService/ListEndpoints", Faults.status(Code.DEADLINE_EXCEEDED, "slow"));
        assertThat(failure(context).getMessage()).isEqualTo("listing endpoints failed: DEADLINE_EXCEEDED: slow");
        cloud.faults().clear();

        cloud.faults()
                .failOnce("EndpointService/ListEndpoints", Faults.status(Code.FAILED_PRECONDITION, "not retried"))
                .failOnce("EndpointService/ListEndpoints", Faults.status(Code.UNAVAILABLE, "never reached"));
        assertThat(failure(context).getMessage())
                .contains("FAILED_PRECONDITION")
                .contains("not retried");
    }

    @Test
    void storagePermissionErrorsNameThePermissionToo() {
        CloudContext context = connect(cloud.environment(home));
        cloud.storage().createBucket("errors-bucket");
        cloud.faults()
                .failOnce(
                        "storage/get",
                        Faults.status(
                                Code.PERMISSION_DENIED,
                                "mldev-test@p.iam.gserviceaccount.com does not have storage.objects.get access to the Google Cloud Storage object."));
        try (var storage = StorageClients.create(context)) {
            Path dir = Files.createDirectories(home.resolve("files"));
            Files.writeString(dir.resolve("a.txt"), "a");
            new GcsTransfer(storage, context.retry())
                    .upload(
                            dir,
                            List.of(Path.of("a.txt")),
                            GcsLocation.of("errors-bucket", "x/"),
                            dev.mldev.Progress.NONE);
            throw new AssertionError("uploaded");
        } catch (MldevException e) {
            seen.add(e);
            assertThat(e.getMessage()).contains("lacks storage.objects.get");
            assertThat(e.hint()).contains("roles/storage.objectAdmin");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
