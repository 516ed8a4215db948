package dev.mldev.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.fake.FakeGoogleCloud;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A gs:// bundle location read from the fake Cloud Storage, spelled as Vertex AI or a user may spell it. */
class BundleLocationTest {
    @TempDir
    static Path home;

    static FakeGoogleCloud cloud;
    static BundleLocation location;

    @BeforeAll
    static void start() {
        cloud = new FakeGoogleCloud();
        cloud.storage().createBucket("models");
        cloud.storage().put("models", "mldev/ocr/v1/mldev.json", "{}".getBytes(StandardCharsets.UTF_8));
        cloud.storage().put("models", "mldev/ocr/v1/sub/vocab.txt", "a\nb\n".getBytes(StandardCharsets.UTF_8));
        cloud.storage().put("models", "mldev/ocr/v10/other.txt", "not this bundle".getBytes(StandardCharsets.UTF_8));
        location = BundleLocation.withDefaultCredentials(new Environment(cloud.environment(home), home));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        cloud.close();
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
}
