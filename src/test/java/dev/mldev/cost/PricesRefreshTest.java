package dev.mldev.cost;

import static dev.mldev.fake.catalog.FakeCloudCatalog.COMPUTE_ENGINE;
import static dev.mldev.fake.catalog.FakeCloudCatalog.VERTEX_AI;
import static dev.mldev.fake.catalog.FakeCloudCatalog.sku;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mldev.Environment;
import dev.mldev.cli.Cli;
import dev.mldev.cli.ExitCodes;
import dev.mldev.cli.Terminal;
import dev.mldev.cost.catalog.CatalogRefresh;
import dev.mldev.fake.catalog.FakeCloudCatalog;
import io.grpc.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mldev prices refresh} and {@code prices show} against a Cloud Billing Catalog fake on loopback gRPC. */
class PricesRefreshTest {
    @TempDir
    Path home;

    private FakeCloudCatalog catalog;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        catalog = new FakeCloudCatalog(3);
    }

    @AfterEach
    void stop() throws Exception {
        catalog.close();
    }

    private void fillCatalog() {
        catalog.addSku(
                COMPUTE_ENGINE,
                sku("A1", "G2 Instance Core running in Americas", "OnDemand", "h", "0.025", "us-central1", "us-east1"));
        catalog.addSku(
                COMPUTE_ENGINE,
                sku(
                        "A2",
                        "G2 Instance Ram running in Americas",
                        "OnDemand",
                        "GiBy.h",
                        "0.003",
                        "us-central1",
                        "us-east1"));
        catalog.addSku(
                COMPUTE_ENGINE,
                sku(
                        "A3",
                        "Spot Preemptible G2 Instance Core running in Americas",
                        "Preemptible",
                        "h",
                        "0.01",
                        "us-central1"));
        catalog.addSku(
                COMPUTE_ENGINE,
                sku(
                        "B1",
                        "N1 Predefined Instance Core running in Americas",
                        "OnDemand",
                        "h",
                        "0.031611",
                        "us-central1"));
        catalog.addSku(
                COMPUTE_ENGINE,
                sku(
                        "B2",
                        "N1 Predefined Instance Ram running in Americas",
                        "OnDemand",
                        "GiBy.h",
                        "0.004237",
                        "us-central1"));
        catalog.addSku(
                COMPUTE_ENGINE,
                sku(
                        "B3",
                        "N1 Predefined Instance Core running in Netherlands",
                        "OnDemand",
                        "h",
                        "0.034773",
                        "europe-west4"));
        catalog.addSku(
                COMPUTE_ENGINE,
                sku(
                        "B4",
                        "N1 Predefined Instance Ram running in Netherlands",
                        "OnDemand",
                        "GiBy.h",
                        "0.004661",
                        "europe-west4"));
        catalog.addSku(
                COMPUTE_ENGINE,
                sku("C1", "Nvidia L4 GPU running in Americas", "OnDemand", "h", "0.56", "us-central1", "us-east1"));
        catalog.addSku(
                COMPUTE_ENGINE,
                sku(
                        "C2",
                        "Nvidia L4 GPU attached to Spot Preemptible VMs running in Americas",
                        "Preemptible",
                        "h",
                        "0.22",
                        "us-central1"));
        catalog.addSku(
                COMPUTE_ENGINE,
                sku(
                        "C3",
                        "Commitment v1: Nvidia L4 GPU running in Americas for 1 Year",
                        "Commit1Yr",
                        "h",
                        "0.35",
                        "us-central1"));
        catalog.addSku(
                COMPUTE_ENGINE,
                sku("C4", "Nvidia Tesla T4 GPU running in Americas", "OnDemand", "h", "0.35", "us-central1"));
        catalog.addSku(COMPUTE_ENGINE, sku("D1", "Storage PD Capacity", "OnDemand", "GiBy.mo", "0.04", "us-central1"));
        catalog.addSku(
                VERTEX_AI,
                sku(
                        "V1",
                        "Vertex AI: Online/Batch Prediction Nvidia L4 GPU running in Americas",
                        "OnDemand",
                        "h",
                        "0.644",
                        "us-central1"));
        catalog.addSku(
                VERTEX_AI,
                sku(
                        "V2",
                        "Vertex AI: Online/Batch Prediction Nvidia Tesla T4 GPU running in" + " Americas",
                        "OnDemand",
                        "h",
                        "0.4025",
                        "us-central1"));
        catalog.addSku(
                VERTEX_AI,
                sku(
                        "V3",
                        "Custom model training Nvidia L4 GPU running in Americas",
                        "OnDemand",
                        "h",
                        "0.9",
                        "us-central1"));
    }

    private int run(String... args) {
        Environment env = new Environment(Map.of(CatalogRefresh.ENDPOINT_OVERRIDE, catalog.url()), home);
        var cli = Cli.commandLine(env, Terminal.piped());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private Path cache() {
        return home.resolve(".cache/mldev/prices.json");
    }

    @Test
    void refreshWritesCatalogPricesToTheCache() throws Exception {
        fillCatalog();
        assertThat(run("prices", "refresh")).as(err.toString()).isEqualTo(ExitCodes.OK);

        assertThat(out.toString())
                .startsWith("prices as of " + LocalDate.now(ZoneOffset.UTC) + ": 3 regions, ")
                .contains("Vertex AI markup x1.15")
                .contains("written to " + cache());
        PriceTable table = PriceTableJson.read(cache());
        // g2-standard-8: 8 vCPU x 0.025 + 32 GiB x 0.003 = 0.296
        assertThat(table.machine("us-central1", "g2-standard-8"))
                .hasValueSatisfying(p -> assertThat(p.perHour()).isEqualByComparingTo("0.296"));
        // n1-standard-4: 4 x 0.031611 + 15 x 0.004237 = 0.189999, the published price
        assertThat(table.machine("us-central1", "n1-standard-4"))
                .hasValueSatisfying(p -> assertThat(p.perHour()).isEqualByComparingTo("0.189999"));
        // europe-west4: 4 x 0.034773 + 15 x 0.004661 = 0.209007
        assertThat(table.machine("europe-west4", "n1-standard-4"))
                .hasValueSatisfying(p -> assertThat(p.perHour()).isEqualByComparingTo("0.209007"));
        // on-demand only: not the spot (0.22) or commitment (0.35) L4 price
        assertThat(table.accelerator("us-east1", "NVIDIA_L4")).hasValueSatisfying(p -> {
            assertThat(p.perHour()).isEqualByComparingTo("0.56");
            assertThat(p.basis()).isEqualTo(Price.Basis.COMPUTE_ENGINE);
            assertThat(p.source()).contains("Compute Engine SKU 'Nvidia L4 GPU running in Americas' (C1)");
        });
        // where Vertex AI has its own GPU price, that is the row, not Compute Engine's times one median markup
        assertThat(table.accelerator("us-central1", "NVIDIA_L4")).hasValueSatisfying(p -> {
            assertThat(p.perHour()).isEqualByComparingTo("0.644");
            assertThat(p.basis()).isEqualTo(Price.Basis.VERTEX_AI);
            assertThat(p.source())
                    .contains(
                            "Vertex AI SKU 'Vertex AI: Online/Batch Prediction Nvidia L4 GPU running in Americas' (V1)");
        });
        assertThat(table.machine("us-central1", "n1-standard-4"))
                .hasValueSatisfying(p -> assertThat(p.source())
                        .contains("'N1 Predefined Instance Core running in Americas' (B1) x 4 vCPU"));
        assertThat(table.accelerator("us-central1", "NVIDIA_TESLA_T4")).isPresent();
        assertThat(table.machine("us-east1", "n1-standard-4")).isEmpty();
        assertThat(table.machine("us-central1", "a2-highgpu-1g")).isEmpty();
        // Vertex prediction L4 0.644 / 0.56 = 1.15, T4 0.4025 / 0.35 = 1.15; training SKUs are not prediction
        assertThat(table.vertexMarkup()).isEqualByComparingTo("1.15");
        assertThat(table.source()).startsWith("Cloud Billing Catalog API").contains("measured from Vertex AI");
        assertThat(table.asOf()).isEqualTo(LocalDate.now(ZoneOffset.UTC));

        // paged through the fake 3 SKUs at a time, asking for USD
        assertThat(catalog.skuRequests())
                .hasSizeGreaterThan(4)
                .allSatisfy(r -> assertThat(r.getCurrencyCode()).isEqualTo("USD"))
                .anySatisfy(r -> assertThat(r.getParent()).isEqualTo(VERTEX_AI));

        // from now on the cached table is in force
        assertThat(PriceTables.load(new Environment(Map.of(), home), null).origin())
                .isEqualTo(cache().toString());
        out.getBuffer().setLength(0);
        assertThat(run("prices", "show", "--json", "--region", "us-central1")).isEqualTo(ExitCodes.OK);
        JsonNode shown = new ObjectMapper().readTree(out.toString());
        assertThat(shown.get("regions").fieldNames()).toIterable().containsExactly("us-central1");
        assertThat(shown.get("regions")
                        .get("us-central1")
                        .get("accelerators")
                        .get("NVIDIA_L4")
                        .get("price")
                        .asText())
                .isEqualTo("0.644");
    }

    @Test
    void eachGpuIsPricedAtItsOwnVertexAiPriceNotOneMedianMarkup() throws Exception {
        fillCatalog();
        catalog.addSku(
                COMPUTE_ENGINE,
                sku("C5", "Nvidia H100 80GB GPU running in Americas", "OnDemand", "h", "9.0", "us-central1"));
        catalog.addSku(
                VERTEX_AI,
                sku(
                        "V4",
                        "Vertex AI: Online/Batch Prediction Nvidia H100 80GB GPU running in Americas",
                        "OnDemand",
                        "h",
                        "9.7966",
                        "us-central1"));
        catalog.addSku(
                COMPUTE_ENGINE,
                sku("C6", "Nvidia Tesla V100 GPU running in Americas", "OnDemand", "h", "2.48", "us-central1"));
        assertThat(run("prices", "refresh")).as(err.toString()).isEqualTo(ExitCodes.OK);
        PriceTable table = PriceTableJson.read(cache());
        NodePricer pricer = new NodePricer(table);

        // ratios L4 1.15, T4 1.15, H100 1.0885: the median (1.15) is only for the rows without a Vertex AI price
        assertThat(table.vertexMarkup()).isEqualByComparingTo("1.15");
        // n1-standard-4 0.189999 x 1.15 + H100 9.7966 as Vertex AI sells it (not 9.0 x 1.15 = 10.35)
        assertThat(pricer.price("us-central1", "n1-standard-4", "NVIDIA_H100_80GB", 1)
                        .perHour())
                .isEqualByComparingTo("10.01509885");
        // V100 has no Vertex AI SKU here: its Compute Engine price, marked up: 0.189999 x 1.15 + 2.48 x 1.15
        assertThat(pricer.price("us-central1", "n1-standard-4", "NVIDIA_TESLA_V100", 1)
                        .perHour())
                .isEqualByComparingTo("3.07049885");
    }

    @Test
    void withoutVertexPredictionSkusTheMarkupIsKept() throws Exception {
        catalog.addSku(
                COMPUTE_ENGINE,
                sku("A1", "G2 Instance Core running in Americas", "OnDemand", "h", "0.025", "us-central1"));
        catalog.addSku(
                COMPUTE_ENGINE,
                sku("A2", "G2 Instance Ram running in Americas", "OnDemand", "GiBy.h", "0.003", "us-central1"));
        assertThat(run("prices", "refresh")).as(err.toString()).isEqualTo(ExitCodes.OK);
        PriceTable table = PriceTableJson.read(cache());
        assertThat(table.vertexMarkup())
                .isEqualByComparingTo(PriceTables.builtIn().vertexMarkup());
        assertThat(table.source()).contains("kept from the previous table (built-in)");
    }

    @Test
    void refusedCallExitsFourAndLeavesTheCacheAlone() throws Exception {
        fillCatalog();
        PriceTableJson.write(TestPrices.table(), cache());
        String before = Files.readString(cache());
        catalog.failWith(Status.PERMISSION_DENIED.withDescription("Cloud Billing API has not been used in project"));

        assertThat(run("prices", "refresh")).isEqualTo(ExitCodes.REMOTE);
        assertThat(err.toString())
                .startsWith("mldev: cannot read the Cloud Billing Catalog: PERMISSION_DENIED: ")
                .contains("hint: enable the API (gcloud services enable cloudbilling.googleapis.com)");
        assertThat(Files.readString(cache())).isEqualTo(before);
    }

    @Test
    void catalogWithoutMachinePricesWritesNothing() {
        catalog.addSku(COMPUTE_ENGINE, sku("D1", "Storage PD Capacity", "OnDemand", "GiBy.mo", "0.04", "us-central1"));
        assertThat(run("prices", "refresh")).isEqualTo(ExitCodes.REMOTE);
        assertThat(err.toString()).contains("returned no on-demand prices for the machine types mldev deploys");
        assertThat(cache()).doesNotExist();
    }

    @Test
    void showPrintsTheBuiltInTableWithVertexPrices() {
        assertThat(run("prices", "show", "--region", "us-central1")).isEqualTo(ExitCodes.OK);
        assertThat(out.toString())
                .startsWith("prices as of ")
                .contains("(built-in)")
                .contains("Vertex AI markup over Compute Engine: x1.15")
                // 0.189999 x 1.15 = 0.21849885
                .contains("n1-standard-4\t$0.19\t$0.22");
        assertThat(run("prices", "show", "--region", "mars-north1")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("mldev: no prices for region mars-north1 in built-in");
    }

    @Test
    void aMalformedOverrideIsAUsageError() {
        Environment env = new Environment(Map.of(CatalogRefresh.ENDPOINT_OVERRIDE, "not a url"), home);
        var cli = Cli.commandLine(env, Terminal.piped());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("prices", "refresh")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains(CatalogRefresh.ENDPOINT_OVERRIDE + " is not a URL");
    }
}
