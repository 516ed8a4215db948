package dev.mldev.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.Code;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.cloud.GcsObjectReader;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.fake.Faults;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A gs:// bundle location read from the fake Cloud Storage, spelled as Vertex AI or a user may spell it. */
class BundleLocationTest {
    @TempDir
    static Path home;

    static FakeGoogleCloud cloud;
    static Environment env;
    static BundleLocation location;

    @BeforeAll
    static void start() {
        cloud = new FakeGoogleCloud();
        cloud.storage().createBucket("models");
        cloud.storage().put("models", "mldev/ocr/v1/mldev.json", "{}".getBytes(StandardCharsets.UTF_8));
        cloud.storage().put("models", "mldev/ocr/v1/sub/vocab.txt", "a\nb\n".getBytes(StandardCharsets.UTF_8));
        cloud.storage().put("models", "mldev/ocr/v10/other.txt", "not this bundle".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 5; i++) {
            cloud.storage().put("models", "mldev/paged/file" + i, ("content " + i).getBytes(StandardCharsets.UTF_8));
        }
        cloud.storage().put("models", "mldev/evil/mldev.json", "{}".getBytes(StandardCharsets.UTF_8));
        cloud.storage().put("models", "mldev/evil/../escaped.txt", "outside".getBytes(StandardCharsets.UTF_8));
        env = new Environment(cloud.environment(home), home);
        location = BundleLocation.withDefaultCredentials(env);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        cloud.close();
    }

    @AfterEach
    void clearFaults() {
        cloud.faults().clear();
    }

    /** The model's artifactUri, and so AIP_STORAGE_URI, ends with a slash when mldev deploy sets it. */
    @ParameterizedTest
    @ValueSource(strings = {"gs://models/mldev/ocr/v1", "gs://models/mldev/ocr/v1/", "gs://models/mldev/ocr/v1//"})
    void downloadsTheObjectsUnderTheFolderHoweverManySlashesEndIt(String uri) throws Exception {
        Path bundle = location.resolve(uri);

        assertThat(Files.readString(bundle.resolve("mldev.json"))).isEqualTo("{}");
        assertThat(Files.readString(bundle.resolve("sub/vocab.txt"))).isEqualTo("a\nb\n");
        try (Stream<Path> files = Files.walk(bundle)) {
            assertThat(files.filter(Files::isRegularFile)
                            .map(file -> bundle.relativize(file).toString()))
                    .containsExactlyInAnyOrder("mldev.json", "sub/vocab.txt"); // not v10's object
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gs://models/mldev/none", "gs://models/mldev/none/"})
    void anEmptyFolderIsNamedInTheFailure(String uri) {
        assertThatThrownBy(() -> location.resolve(uri))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining("no objects under " + uri);
    }

    @Test
    void aBundleListedOverSeveralPagesIsDownloadedWhole() throws Exception {
        BundleLocation twoPerPage = new BundleLocation(() -> GcsObjectReader.withDefaultCredentials(env, 2));

        Path bundle = twoPerPage.resolve("gs://models/mldev/paged");

        for (int i = 0; i < 5; i++) {
            assertThat(Files.readString(bundle.resolve("file" + i))).isEqualTo("content " + i);
        }
    }

    @Test
    void anObjectNameWithDotDotIsNotWrittenOutsideTheBundle() throws Exception {
        Path bundle = location.resolve("gs://models/mldev/evil/");

        try (Stream<Path> files = Files.walk(bundle)) {
            assertThat(files.filter(Files::isRegularFile)
                            .map(bundle::relativize)
                            .map(Path::toString))
                    .containsExactly("mldev.json");
        }
        assertThat(bundle.getParent().resolve("escaped.txt")).doesNotExist();
    }

    @Test
    void aRefusedListIsOneLineNamingTheLocationAndTheRole() {
        String refusal = "mldev-serve@mldev-test-project.iam.gserviceaccount.com does not have storage.objects.list"
                + " access to the Google Cloud Storage bucket.";
        cloud.faults().failOnce("storage/list", Faults.status(Code.PERMISSION_DENIED, refusal));

        // failOnce: a retried 403 would succeed the second time and download the bundle
        assertThatThrownBy(() -> location.resolve("gs://models/mldev/ocr/v1/"))
                .isInstanceOf(MldevException.class)
                .hasMessage("cannot download the bundle from gs://models/mldev/ocr/v1/: HTTP 403: " + refusal)
                .satisfies(e -> assertThat(((MldevException) e).hint()).contains("roles/storage.objectViewer"));
    }

    @Test
    void aMissingBucketIsNamedInTheFailure() {
        assertThatThrownBy(() -> location.resolve("gs://no-such-bucket/mldev/ocr/v1/"))
                .isInstanceOf(MldevException.class)
                .hasMessage("cannot download the bundle from gs://no-such-bucket/mldev/ocr/v1/: HTTP 404: "
                        + "The specified bucket does not exist.");
    }

    @Test
    void transientAnswersAreRetriedUntilTheBundleIsDownloaded() throws Exception {
        cloud.faults()
                .failOnce("storage/list", Faults.status(Code.RESOURCE_EXHAUSTED, "rate limited"))
                .failOnce("storage/download", Faults.status(Code.UNAVAILABLE, "Backend Error"));

        Path bundle = location.resolve("gs://models/mldev/ocr/v1");

        assertThat(Files.readString(bundle.resolve("mldev.json"))).isEqualTo("{}");
        assertThat(Files.readString(bundle.resolve("sub/vocab.txt"))).isEqualTo("a\nb\n");
    }
}
