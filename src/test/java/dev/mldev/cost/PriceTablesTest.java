package dev.mldev.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.Environment;
import dev.mldev.MldevException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceTablesTest {
    @TempDir
    Path home;

    @Test
    void builtInTableCoversTheFamiliesAndRegionsMldevDeploys() {
        PriceTable table = PriceTables.builtIn();
        assertThat(table.asOf()).isNotNull();
        assertThat(table.source()).contains("Compute Engine on-demand");
        assertThat(table.vertexMarkup()).isEqualByComparingTo("1.15");
        for (String region : List.of("us-central1", "us-east1", "us-west1", "europe-west4", "asia-southeast1")) {
            assertThat(table.machine(region, "g2-standard-8")).as(region).isPresent();
            assertThat(table.machine(region, "n1-standard-4")).as(region).isPresent();
            assertThat(table.machine(region, "a2-highgpu-1g")).as(region).isPresent();
            assertThat(table.accelerator(region, "NVIDIA_L4")).as(region).isPresent();
            assertThat(table.accelerator(region, "nvidia-tesla-t4")).as(region).isPresent();
        }
        assertThat(table.machine("us-central1", "a2-ultragpu-1g")).isPresent();
        assertThat(table.machine("us-central1", "a3-highgpu-8g")).isPresent();
        for (String gpu : List.of(
                "NVIDIA_TESLA_A100",
                "NVIDIA_A100_80GB",
                "NVIDIA_H100_80GB",
                "NVIDIA_TESLA_V100",
                "NVIDIA_TESLA_P100",
                "NVIDIA_TESLA_P4")) {
            assertThat(table.accelerator("us-central1", gpu)).as(gpu).isPresent();
        }
        // the well-known anchor: n1-standard-4 in us-central1 is $0.189999 an hour on Compute Engine
        assertThat(table.machine("us-central1", "n1-standard-4"))
                .hasValueSatisfying(p -> assertThat(p.perHour()).isEqualByComparingTo("0.189999"));
        for (String region : table.regions().keySet()) {
            table.regions()
                    .get(region)
                    .machines()
                    .forEach((name, p) -> assertThat(p.source()).as(name).isNotBlank());
            table.regions()
                    .get(region)
                    .accelerators()
                    .forEach((name, p) -> assertThat(p.source()).as(name).isNotBlank());
        }
    }

    @Test
    void theH100RowIsVertexAisOwnPriceAndIsNotMarkedUpAgain() {
        PriceTable table = PriceTables.builtIn();
        assertThat(table.accelerator("us-central1", "NVIDIA_H100_80GB")).hasValueSatisfying(p -> {
            assertThat(p.basis()).isEqualTo(Price.Basis.VERTEX_AI);
            assertThat(p.source()).contains("Vertex AI");
        });
        // a3-highgpu-1g: 1.18251 x 1.15 (a Compute Engine row) + 9.7966 (Vertex AI's own) = 11.1564865
        assertThat(new NodePricer(table)
                        .price("us-central1", "a3-highgpu-1g", "NVIDIA_H100_80GB", 1)
                        .perHour())
                .isEqualByComparingTo("11.1564865");
        // an L4 row is a Compute Engine price: (0.14653 + 0.5599) x 1.15 = 0.8123945
        assertThat(new NodePricer(table)
                        .price("us-central1", "g2-standard-4", "NVIDIA_L4", 1)
                        .perHour())
                .isEqualByComparingTo("0.8123945");
    }

    @Test
    void overrideFileWinsOverCacheAndBuiltIn() throws Exception {
        Environment env = new Environment(Map.of(), home);
        Path cached = PriceTables.cacheFile(env);
        PriceTableJson.write(TestPrices.table(), cached);
        assertThat(PriceTables.load(env, null).origin()).isEqualTo(cached.toString());

        Path override = home.resolve("mine.json");
        Files.writeString(override, """
                {"schema": 1, "as_of": "2026-10-01", "source": "my contract",
                 "regions": {"us-central1": {"machines": {"g2-standard-8": 0.1},
                                             "accelerators": {"nvidia-l4": "0.2"}}}}
                """);
        PriceTable table = PriceTables.load(env, override);
        assertThat(table.source()).isEqualTo("my contract");
        assertThat(table.vertexMarkup()).isEqualByComparingTo("1");
        assertThat(new NodePricer(table)
                        .price("us-central1", "g2-standard-8", "NVIDIA_L4", 1)
                        .perHour())
                .isEqualByComparingTo("0.3");
    }

    @Test
    void builtInIsUsedWithoutCacheOrOverride() {
        assertThat(PriceTables.load(new Environment(Map.of(), home), null).origin())
                .isEqualTo("built-in");
    }

    @Test
    void writtenTableReadsBackTheSame() throws Exception {
        Path file = home.resolve("copy.json");
        PriceTableJson.write(TestPrices.table(), file);
        PriceTable back = PriceTableJson.read(file);
        assertThat(back.withOrigin("test")).isEqualTo(TestPrices.table());
    }

    @Test
    void badFilesGetOneClearLineAndExitTwo() throws Exception {
        Path file = home.resolve("bad.json");
        Files.writeString(
                file,
                "{\"schema\": 1, \"as_of\": \"2026-10-01\", \"regions\": {\"us-central1\":"
                        + " {\"machines\": {\"g2-standard-8\": \"cheap\"}}}}");
        assertThatThrownBy(() -> PriceTableJson.read(file))
                .isInstanceOf(MldevException.class)
                .hasMessage("price file " + file + ": regions.us-central1.machines.g2-standard-8 must be a price"
                        + " in USD per hour, not \"cheap\"")
                .satisfies(e -> assertThat(((MldevException) e).kind()).isEqualTo(MldevException.Kind.USAGE));
        Files.writeString(file, "{\"schema\": 1, \"as_of\": \"yesterday\", \"regions\": {}}");
        assertThatThrownBy(() -> PriceTableJson.read(file)).hasMessageContaining("as_of must be a date");
        Files.writeString(file, "not json");
        assertThatThrownBy(() -> PriceTableJson.read(file)).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> PriceTableJson.read(home.resolve("missing.json")))
                .hasMessageContaining("does not exist");
    }
}
