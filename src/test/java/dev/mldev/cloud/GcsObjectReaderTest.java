package dev.mldev.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.Environment;
import dev.mldev.fake.FakeGoogleCloud;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cloud Storage's JSON API read over the JDK's HTTP client, against the fake that pages as the real one does. */
class GcsObjectReaderTest {
    @TempDir
    static Path home;

    static FakeGoogleCloud cloud;
    static GcsObjectReader reader;

    @BeforeAll
    static void start() {
        cloud = new FakeGoogleCloud();
        cloud.storage().createBucket("reads");
        reader = GcsObjectReader.withDefaultCredentials(
                new Environment(cloud.environment(home), home), GcsObjectReader.MAX_PAGE_SIZE);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        cloud.close();
    }

    @Test
    void aListLongerThanOnePageOfAThousandIsFollowedToItsEnd() throws Exception {
        List<String> names = IntStream.range(0, 1001)
                .mapToObj(i -> String.format("many/%04d", i))
                .toList();
        names.forEach(name -> cloud.storage().put("reads", name, new byte[] {1}));
        cloud.storage().put("reads", "many-not/0000", new byte[] {2});

        assertThat(reader.list("reads", "many/")).containsExactlyElementsOf(names);
    }

    @Test
    void downloadsAnObjectWhoseNameNeedsEncodingByteForByte() throws Exception {
        byte[] model = new byte[3 * 1024 * 1024 + 17];
        new Random(11).nextBytes(model);
        String name = "odd/a b#c?d+e%f/model é.onnx";
        cloud.storage().put("reads", name, model);
        Path target = home.resolve("model.onnx");

        assertThat(reader.list("reads", "odd/")).containsExactly(name);
        reader.download("reads", name, target);

        assertThat(Files.readAllBytes(target)).isEqualTo(model);
    }
}
