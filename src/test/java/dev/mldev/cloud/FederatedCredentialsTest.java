package dev.mldev.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auth.oauth2.ExternalAccountCredentials;
import com.google.auth.oauth2.ImpersonatedCredentials;
import com.google.cloud.aiplatform.v1beta1.EndpointServiceClient;
import com.google.cloud.aiplatform.v1beta1.EndpointServiceSettings;
import com.google.cloud.aiplatform.v1beta1.ListEndpointsRequest;
import com.sun.net.httpserver.HttpServer;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.fake.FakeIamCredentials;
import dev.mldev.fake.FakeSts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workload Identity Federation ({@code external_account} ADC files as {@code gcloud iam workload-identity-pools
 * create-cred-config} writes them) and service-account impersonation ({@code impersonated_service_account}), each
 * against loopback fakes of the token exchange and IAM Credentials, then a real Vertex AI call to the fake with the
 * token they gave. A failure names the step that failed.
 */
class FederatedCredentialsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String CI_ACCOUNT = "mldev-ci@" + FakeGoogleCloud.PROJECT + ".iam.gserviceaccount.com";
    static final String SUBJECT_TOKEN = "eyJ.ci-oidc-token.sig";

    static FakeGoogleCloud cloud;
    static FakeSts sts;
    static FakeIamCredentials iam;

    @TempDir
    Path home;

    @BeforeAll
    static void start() {
        cloud = new FakeGoogleCloud();
        sts = new FakeSts(cloud.auth());
        iam = new FakeIamCredentials(cloud.auth());
        sts.trust(SUBJECT_TOKEN);
        iam.allowImpersonation(CI_ACCOUNT);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        iam.close();
        sts.close();
        cloud.close();
    }

    /** An external_account file as create-cred-config writes it, its subject token read from {@code source}. */
    ObjectNode federated(ObjectNode source, boolean impersonate) {
        ObjectNode adc = JSON.createObjectNode()
                .put("universe_domain", "googleapis.com")
                .put("type", "external_account")
                .put("audience", FakeSts.AUDIENCE)
                .put("subject_token_type", "urn:ietf:params:oauth:token-type:jwt")
                .put("token_url", sts.tokenUrl());
        if (impersonate) {
            adc.put("service_account_impersonation_url", iam.impersonationUrl(CI_ACCOUNT));
        }
        adc.set("credential_source", source);
        return adc;
    }

    ObjectNode fileSource(String subjectToken) throws IOException {
        Path file = Files.writeString(home.resolve("oidc-token"), subjectToken);
        ObjectNode source = JSON.createObjectNode().put("file", file.toString());
        source.putObject("format").put("type", "text");
        return source;
    }

    CloudContext connect(ObjectNode adc) throws IOException {
        Path file = home.resolve("wif.json");
        Files.writeString(file, adc.toPrettyString());
        Map<String, String> env = new HashMap<>(cloud.baseEnvironment());
        env.put(AdcCredentials.CREDENTIALS_VARIABLE, file.toString());
        return CloudContext.connect(new Environment(env, home), FakeGoogleCloud.PROJECT, FakeGoogleCloud.REGION);
    }

    /** Lists endpoints with the real v1beta1 client: the fake refuses any token it did not issue. */
    static int listEndpoints(CloudContext context) throws IOException {
        EndpointServiceSettings settings = context.configureAiplatform(EndpointServiceSettings.newBuilder())
                .build();
        try (EndpointServiceClient client = EndpointServiceClient.create(settings)) {
            int count = 0;
            for (var ignored : client.listEndpoints(ListEndpointsRequest.newBuilder()
                            .setParent(context.location())
                            .build())
                    .iterateAll()) {
                count++;
            }
            return count;
        }
    }

    MldevException refused(ObjectNode adc) {
        try {
            listEndpoints(connect(adc));
        } catch (MldevException e) {
            assertThat(e.kind()).isEqualTo(MldevException.Kind.REMOTE);
            assertThat(e.getMessage() + e.hint()).doesNotContain(SUBJECT_TOKEN);
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the credentials were accepted");
    }

    @Test
    void aFileSourcedFederatedTokenIsExchangedAndUsedDirectly() throws Exception {
        CloudContext context = connect(federated(fileSource(SUBJECT_TOKEN), false));
        assertThat(context.credentials()).isInstanceOf(ExternalAccountCredentials.class);
        assertThat(listEndpoints(context)).isZero();
    }

    @Test
    void aFederatedTokenImpersonatesTheCiServiceAccount() throws Exception {
        CloudContext context = connect(federated(fileSource(SUBJECT_TOKEN), true));
        assertThat(listEndpoints(context)).isZero();
    }

    @Test
    void aUrlSourcedSubjectTokenIsFetchedWithItsHeaders() throws Exception {
        HttpServer oidc = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        oidc.createContext("/token", exchange -> {
            boolean authorized = "bearer ci-request-token"
                    .equals(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = ("{\"value\":\"" + (authorized ? SUBJECT_TOKEN : "anonymous") + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(authorized ? 200 : 401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        oidc.start();
        try {
            ObjectNode source = JSON.createObjectNode()
                    .put("url", "http://127.0.0.1:" + oidc.getAddress().getPort() + "/token?audience=x");
            source.putObject("headers").put("Authorization", "bearer ci-request-token");
            source.putObject("format").put("type", "json").put("subject_token_field_name", "value");
            assertThat(listEndpoints(connect(federated(source, true)))).isZero();
        } finally {
            oidc.stop(0);
        }
    }

    /** An impersonated_service_account file as 'gcloud auth application-default login --impersonate-service-account' writes it. */
    ObjectNode impersonating(String account, String refreshToken) {
        ObjectNode adc = JSON.createObjectNode()
                .put("type", "impersonated_service_account")
                .put("service_account_impersonation_url", iam.impersonationUrl(account));
        adc.putArray("delegates");
        adc.putObject("source_credentials")
                .put("type", "authorized_user")
                .put("client_id", "client-9.apps.googleusercontent.com")
                .put("client_secret", "s")
                .put("refresh_token", refreshToken)
                .put("token_uri", cloud.tokenUri());
        return adc;
    }

    @Test
    void impersonationFromGcloudUserCredentials() throws Exception {
        cloud.auth().addUser("client-9.apps.googleusercontent.com", "user-refresh");
        CloudContext context = connect(impersonating(CI_ACCOUNT, "user-refresh"));
        assertThat(context.credentials()).isInstanceOf(ImpersonatedCredentials.class);
        assertThat(listEndpoints(context)).isZero();
    }

    @Test
    void anUnreadableSubjectTokenIsNamed() throws Exception {
        ObjectNode source = JSON.createObjectNode()
                .put("file", home.resolve("no-such-token").toString());
        MldevException e = refused(federated(source, true));
        assertThat(e.getMessage())
                .startsWith(
                        "cannot read the CI system's subject token (credential_source in " + home.resolve("wif.json"))
                .contains("no-such-token");
        assertThat(e.hint()).contains("id-token: write").contains("id_tokens");
    }

    @Test
    void aRefusedExchangeIsNamedWithTheServicesAnswer() throws Exception {
        MldevException e = refused(federated(fileSource("eyJ.someone-else.sig"), true));
        assertThat(e.getMessage())
                .isEqualTo(
                        "the token exchange (Security Token Service) refused the CI system's subject token: "
                                + "Error code invalid_grant: The audience in ID Token [https://ci.example] does not match the expected audience.");
        assertThat(e.hint()).contains(FakeSts.AUDIENCE).contains("attribute condition");

        MldevException direct = refused(federated(fileSource("eyJ.someone-else.sig"), false));
        assertThat(direct.getMessage()).startsWith("the token exchange (Security Token Service) refused");
    }

    @Test
    void deniedImpersonationNamesTheRoleToGrant() throws Exception {
        String other = "other@" + FakeGoogleCloud.PROJECT + ".iam.gserviceaccount.com";
        ObjectNode adc = federated(fileSource(SUBJECT_TOKEN), false)
                .put("service_account_impersonation_url", iam.impersonationUrl(other));
        MldevException e = refused(adc);
        assertThat(e.getMessage())
                .isEqualTo("impersonating " + other + " was denied (IAM Credentials answered HTTP 403): "
                        + "the caller lacks iam.serviceAccounts.getAccessToken on it");
        assertThat(e.hint())
                .isEqualTo("grant roles/iam.workloadIdentityUser on the service account: gcloud iam service-accounts "
                        + "add-iam-policy-binding " + other
                        + " --role=roles/iam.workloadIdentityUser --member=principalSet:"
                        + "//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/ci-pool/*");
    }

    @Test
    void deniedImpersonationFromUserCredentialsNamesTheTokenCreatorRole() throws Exception {
        cloud.auth().addUser("client-9.apps.googleusercontent.com", "user-refresh");
        String other = "other@" + FakeGoogleCloud.PROJECT + ".iam.gserviceaccount.com";
        MldevException e = refused(impersonating(other, "user-refresh"));
        assertThat(e.getMessage()).startsWith("impersonating " + other + " was denied");
        assertThat(e.hint()).startsWith("grant roles/iam.serviceAccountTokenCreator on the service account");

        MldevException source = refused(impersonating(CI_ACCOUNT, "revoked-refresh"));
        assertThat(source.getMessage())
                .startsWith("the source credentials in " + home.resolve("wif.json") + " (to impersonate " + CI_ACCOUNT
                        + ") were refused");
    }
}
