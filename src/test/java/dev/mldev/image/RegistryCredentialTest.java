package dev.mldev.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Application Default Credentials as the registry credential: a service-account key whose token endpoint is a
 * loopback fake, and a real registry that only lets in user {@code oauth2accesstoken} with that token.
 */
class RegistryCredentialTest {
    static final String TOKEN = "ya29.mldev-test-token";
    /** {@code htpasswd -nbB -C 5 oauth2accesstoken ya29.mldev-test-token}; the registry takes bcrypt only. */
    static final String HTPASSWD = "oauth2accesstoken:$2y$05$H04g08hqPAg3yj6r8b9CgO2yoXBL/qiDhJOt9vlN4JWg2uqwSNXoG\n";
    /** jib sends credentials over plain HTTP (the test registry has no TLS) only with this property. */
    static final String SEND_OVER_HTTP = "sendCredentialsOverHttp";

    @TempDir
    Path temp;

    Path htpasswd;
    List<String> baseArgs;

    @BeforeEach
    void fixtures() throws Exception {
        htpasswd = Files.writeString(temp.resolve("htpasswd"), HTPASSWD);
        Path app = ImageFixtures.appDir(temp.resolve("app"));
        Path jre = ImageFixtures.fakeJre(temp, "Linux", "x86_64");
        Path baseTar = ImageFixtures.baseTar(Files.createDirectories(temp.resolve("base")));
        baseArgs = List.of(
                "--app-dir",
                app.toString(),
                "--jre",
                jre.toString(),
                "--base",
                "tar://" + baseTar,
                "--insecure-registry",
                // the stand-in runtime cannot run serve, which the class archive's training needs
                "--no-class-archive");
        System.setProperty(SEND_OVER_HTTP, "true");
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty(SEND_OVER_HTTP);
    }

    @Test
    void pushesWithTheAccessTokenFromApplicationDefaultCredentialsAndNeverPrintsIt() throws Exception {
        try (FakeTokenEndpoint tokens = new FakeTokenEndpoint(TOKEN);
                TestRegistry registry = TestRegistry.start(temp, htpasswd)) {
            Path key = tokens.writeKeyFile(temp.resolve("key.json"));

            CliRun run = mldev(
                    Map.of("GOOGLE_APPLICATION_CREDENTIALS", key.toString()),
                    registry.host() + "/mldev-serve:1",
                    "--auth",
                    "adc",
                    "--verbose");

            assertThat(run.exitCode).as(run.err).isZero();
            assertThat(run.out).startsWith(registry.host() + "/mldev-serve:1@sha256:");
            assertThat(run.out + run.err).doesNotContain(TOKEN);
            assertThat(tokens.tokensIssued()).isEqualTo(1);
            assertThat(registry.log()).contains("user.name=oauth2accesstoken");
        }
    }

    @Test
    void withoutACredentialTheRefusalIsARemoteErrorWithAHint() throws Exception {
        try (TestRegistry registry = TestRegistry.start(temp, htpasswd)) {
            CliRun run = mldev(Map.of(), registry.host() + "/mldev-serve:1");

            assertThat(run.exitCode).as(run.err).isEqualTo(4);
            assertThat(run.err).contains("mldev: the registry refused the push", "hint: pass --auth adc");
            assertThat(run.err.lines()).hasSize(2);
        }
    }

    @Test
    void aKeyTheTokenEndpointRefusesIsARemoteError() throws Exception {
        try (FakeTokenEndpoint tokens = new FakeTokenEndpoint(TOKEN);
                FakeTokenEndpoint impostor = new FakeTokenEndpoint(TOKEN)) {
            // a key file naming the real endpoint but holding another key: its JWT does not verify there
            Path key = impostor.writeKeyFile(temp.resolve("key.json"));
            Files.writeString(key, Files.readString(key).replace(impostor.tokenUri(), tokens.tokenUri()));

            CliRun run = mldev(
                    Map.of("GOOGLE_APPLICATION_CREDENTIALS", key.toString()),
                    "us-central1-docker.pkg.dev/demo/mldev/serve:1");

            assertThat(run.exitCode).as(run.err).isEqualTo(4);
            assertThat(run.err)
                    .contains(
                            "mldev: cannot get an access token from Application Default Credentials",
                            "hint: run 'gcloud auth application-default login'");
            assertThat(tokens.tokensIssued()).isZero();
        }
    }

    @Test
    void missingCredentialsForArtifactRegistryAreSaidInOneLine() {
        CliRun run = mldev(
                Map.of(
                        "GOOGLE_APPLICATION_CREDENTIALS",
                        temp.resolve("no-such-key.json").toString()),
                "us-central1-docker.pkg.dev/demo/mldev/serve:1");

        assertThat(run.exitCode).as(run.err).isEqualTo(4);
        assertThat(run.err)
                .contains(
                        "mldev: GOOGLE_APPLICATION_CREDENTIALS names",
                        "no-such-key.json",
                        "which does not exist",
                        "hint:",
                        "gcloud auth application-default login");
        assertThat(run.err.lines()).hasSize(2);
    }

    private CliRun mldev(Map<String, String> variables, String reference, String... extra) {
        List<String> args = new ArrayList<>(List.of("image", "push", reference));
        args.addAll(List.of(extra));
        args.addAll(baseArgs);
        return CliRun.run(temp.resolve("home"), variables, args.toArray(String[]::new));
    }
}
