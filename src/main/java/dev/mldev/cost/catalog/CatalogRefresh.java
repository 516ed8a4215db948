package dev.mldev.cost.catalog;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.rpc.ApiException;
import com.google.cloud.billing.v1.CloudCatalogClient;
import com.google.cloud.billing.v1.CloudCatalogSettings;
import com.google.cloud.billing.v1.ListSkusRequest;
import com.google.cloud.billing.v1.Service;
import com.google.cloud.billing.v1.Sku;
import dev.mldev.Environment;
import dev.mldev.Failures;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.cloud.CloudEndpoints;
import dev.mldev.cost.PriceTable;
import dev.mldev.cost.PriceTableJson;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code mldev prices refresh}: reads the Compute Engine and Vertex AI SKUs from the Cloud Billing Catalog API and
 * writes them as a price table to the user's cache, where {@code mldev status} and {@code deploy --dry-run} find it.
 * The old cache stays in place unless the new table is complete enough to use.
 */
public final class CatalogRefresh implements AutoCloseable {
    /** gcloud's variable for the Cloud Billing API's address; an {@code http://} URL means a local fake. */
    public static final String ENDPOINT_OVERRIDE = "CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDBILLING";

    static final String COMPUTE_ENGINE = "Compute Engine";
    static final String VERTEX_AI = "Vertex AI";

    private final CloudCatalogClient client;
    private final Clock clock;

    CatalogRefresh(CloudCatalogClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** A client for the catalog at its public address with Application Default Credentials, or at the override. */
    public static CatalogRefresh connect(Environment env, Clock clock) {
        try {
            return new CatalogRefresh(CloudCatalogClient.create(settings(env)), clock);
        } catch (IOException e) {
            throw MldevException.remote(
                    "cannot reach the Cloud Billing Catalog API: " + e.getMessage(),
                    "run 'gcloud auth application-default login', or check GOOGLE_APPLICATION_CREDENTIALS",
                    e);
        }
    }

    static CloudCatalogSettings settings(Environment env) throws IOException {
        CloudCatalogSettings.Builder settings = CloudCatalogSettings.newBuilder();
        Optional<String> override = env.get(ENDPOINT_OVERRIDE);
        if (override.isPresent()) {
            URI url = CloudEndpoints.overrideUrl(
                    ENDPOINT_OVERRIDE, override.get(), "https://cloudbilling.googleapis.com/");
            boolean plaintext = "http".equals(url.getScheme());
            String hostPort = CloudEndpoints.hostPort(url);
            InstantiatingGrpcChannelProvider.Builder channel =
                    InstantiatingGrpcChannelProvider.newBuilder().setEndpoint(hostPort);
            if (plaintext) {
                // credentials never travel in clear text: a plain-HTTP endpoint is a local fake that needs none
                channel.setChannelConfigurator(ManagedChannelBuilder::usePlaintext);
                settings.setCredentialsProvider(NoCredentialsProvider.create());
            }
            settings.setEndpoint(hostPort).setTransportChannelProvider(channel.build());
        }
        return settings.build();
    }

    /**
     * Reads the catalog and writes the table to {@code cacheFile}.
     *
     * @param previous the table in force now (its markup is kept when the catalog has no Vertex AI GPU SKUs)
     */
    public PriceTable refresh(PriceTable previous, Path cacheFile, Progress progress) {
        List<Service> services = services();
        Service compute = find(services, COMPUTE_ENGINE)
                .orElseThrow(() -> MldevException.remote(
                        "the Cloud Billing Catalog lists no '" + COMPUTE_ENGINE + "' service", null, null));
        List<Sku> computeSkus = skus(compute, progress);
        List<Sku> vertexSkus =
                find(services, VERTEX_AI).map(s -> skus(s, progress)).orElse(List.of());
        progress.done();
        PriceTable table = new SkuPrices(MachineShapes.load())
                .table(computeSkus, vertexSkus, previous, LocalDate.now(clock), cacheFile.toString());
        if (table.regions().values().stream().allMatch(r -> r.machines().isEmpty())) {
            throw MldevException.remote(
                    "the Cloud Billing Catalog returned no on-demand prices for the machine" + " types mldev deploys ("
                            + computeSkus.size() + " Compute Engine SKUs read)",
                    "the cached prices were left as they were; try again later, or pass --prices FILE",
                    null);
        }
        try {
            PriceTableJson.write(table, cacheFile);
        } catch (IOException e) {
            throw MldevException.failure(
                    "cannot write " + cacheFile + ": " + e.getMessage(),
                    "check that the cache directory is writable (XDG_CACHE_HOME)");
        }
        return table;
    }

    private List<Service> services() {
        try {
            List<Service> services = new ArrayList<>();
            client.listServices().iterateAll().forEach(services::add);
            return services;
        } catch (ApiException e) {
            throw failed(e);
        }
    }

    private List<Sku> skus(Service service, Progress progress) {
        progress.step("reading " + service.getDisplayName() + " prices from the Cloud Billing Catalog");
        try {
            List<Sku> skus = new ArrayList<>();
            ListSkusRequest request = ListSkusRequest.newBuilder()
                    .setParent(service.getName())
                    .setCurrencyCode("USD")
                    .setPageSize(5000)
                    .build();
            for (Sku sku : client.listSkus(request).iterateAll()) {
                skus.add(sku);
                progress.advance(service.getDisplayName() + " SKUs", skus.size(), -1);
            }
            return skus;
        } catch (ApiException e) {
            throw failed(e);
        }
    }

    private static Optional<Service> find(List<Service> services, String displayName) {
        return services.stream()
                .filter(s -> displayName.equals(s.getDisplayName()))
                .findFirst();
    }

    private static MldevException failed(ApiException e) {
        return MldevException.remote(
                "cannot read the Cloud Billing Catalog: " + e.getStatusCode().getCode() + ": "
                        + Failures.firstLine(e.getMessage()),
                "enable the API (gcloud services enable cloudbilling.googleapis.com) and check the credentials"
                        + " (gcloud auth application-default login); the cached prices were left as they were",
                e);
    }

    @Override
    public void close() {
        client.close();
    }
}
