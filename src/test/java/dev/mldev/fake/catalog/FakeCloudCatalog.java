package dev.mldev.fake.catalog;

import com.google.cloud.billing.v1.Category;
import com.google.cloud.billing.v1.ListServicesRequest;
import com.google.cloud.billing.v1.ListServicesResponse;
import com.google.cloud.billing.v1.ListSkusRequest;
import com.google.cloud.billing.v1.ListSkusResponse;
import com.google.cloud.billing.v1.PricingExpression;
import com.google.cloud.billing.v1.PricingInfo;
import com.google.cloud.billing.v1.Service;
import com.google.cloud.billing.v1.Sku;
import com.google.type.Money;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A Cloud Billing Catalog API ({@code google.cloud.billing.v1.CloudCatalog}) on loopback gRPC, speaking the real
 * wire protocol to the generated client: ListServices and ListSkus with page tokens, SKUs held in memory, and a
 * fault to inject. Serves plaintext: point the client at {@code http://127.0.0.1:PORT}.
 */
public final class FakeCloudCatalog implements AutoCloseable {
    private static final String SERVICE = "google.cloud.billing.v1.CloudCatalog";
    public static final String COMPUTE_ENGINE = "services/6F81-5844-456A";
    public static final String VERTEX_AI = "services/C7E2-9256-1C43";

    private final Map<String, Service> services = new LinkedHashMap<>();
    private final Map<String, List<Sku>> skus = new LinkedHashMap<>();
    private final List<ListSkusRequest> skuRequests = new CopyOnWriteArrayList<>();
    private final int pageSize;
    private volatile Status fault;
    private final Server server;

    /** @param pageSize the most SKUs one page holds, whatever the client asks, so paging is exercised */
    public FakeCloudCatalog(int pageSize) throws IOException {
        this.pageSize = pageSize;
        addService(COMPUTE_ENGINE, "Compute Engine");
        addService(VERTEX_AI, "Vertex AI");
        addService("services/95FF-2EF5-5EA1", "Cloud Storage");
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(definition())
                .build()
                .start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    public void addSku(String service, Sku sku) {
        skus.computeIfAbsent(service, s -> new ArrayList<>()).add(sku);
    }

    /** Every call fails with this status until cleared with null. */
    public void failWith(Status status) {
        this.fault = status;
    }

    public List<ListSkusRequest> skuRequests() {
        return List.copyOf(skuRequests);
    }

    /** A SKU as the catalog lists it: one pricing info with one tier at {@code usdPerUnit}. */
    public static Sku sku(
            String id, String description, String usageType, String usageUnit, String usdPerUnit, String... regions) {
        BigDecimal price = new BigDecimal(usdPerUnit);
        long units = price.longValue();
        int nanos = price.subtract(BigDecimal.valueOf(units)).movePointRight(9).intValueExact();
        return Sku.newBuilder()
                .setName("services/x/skus/" + id)
                .setSkuId(id)
                .setDescription(description)
                .setCategory(Category.newBuilder()
                        .setServiceDisplayName("Compute Engine")
                        .setResourceFamily("Compute")
                        .setResourceGroup(description.contains("GPU") ? "GPU" : "N1Standard")
                        .setUsageType(usageType))
                .addAllServiceRegions(List.of(regions))
                .addPricingInfo(PricingInfo.newBuilder()
                        .setSummary("")
                        .setPricingExpression(PricingExpression.newBuilder()
                                .setUsageUnit(usageUnit)
                                .setDisplayQuantity(1)
                                .addTieredRates(PricingExpression.TierRate.newBuilder()
                                        .setStartUsageAmount(0)
                                        .setUnitPrice(Money.newBuilder()
                                                .setCurrencyCode("USD")
                                                .setUnits(units)
                                                .setNanos(nanos)))))
                .build();
    }

    private void addService(String name, String displayName) {
        services.put(
                name,
                Service.newBuilder()
                        .setName(name)
                        .setServiceId(name.substring("services/".length()))
                        .setDisplayName(displayName)
                        .build());
    }

    private ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(
                        method(
                                "ListServices",
                                ListServicesRequest.getDefaultInstance(),
                                ListServicesResponse.getDefaultInstance()),
                        ServerCalls.asyncUnaryCall(this::listServices))
                .addMethod(
                        method("ListSkus", ListSkusRequest.getDefaultInstance(), ListSkusResponse.getDefaultInstance()),
                        ServerCalls.asyncUnaryCall(this::listSkus))
                .build();
    }

    private void listServices(ListServicesRequest request, StreamObserver<ListServicesResponse> response) {
        if (failed(response)) {
            return;
        }
        response.onNext(ListServicesResponse.newBuilder()
                .addAllServices(services.values())
                .build());
        response.onCompleted();
    }

    private void listSkus(ListSkusRequest request, StreamObserver<ListSkusResponse> response) {
        skuRequests.add(request);
        if (failed(response)) {
            return;
        }
        if (!services.containsKey(request.getParent())) {
            response.onError(Status.NOT_FOUND
                    .withDescription("Service " + request.getParent() + " not found")
                    .asRuntimeException());
            return;
        }
        List<Sku> all = skus.getOrDefault(request.getParent(), List.of());
        int start = request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken());
        int size = request.getPageSize() > 0 ? Math.min(request.getPageSize(), pageSize) : pageSize;
        int end = Math.min(all.size(), start + size);
        ListSkusResponse.Builder page = ListSkusResponse.newBuilder().addAllSkus(all.subList(start, end));
        if (end < all.size()) {
            page.setNextPageToken(Integer.toString(end));
        }
        response.onNext(page.build());
        response.onCompleted();
    }

    private boolean failed(StreamObserver<?> response) {
        Status status = fault;
        if (status != null) {
            response.onError(status.asRuntimeException());
            return true;
        }
        return false;
    }

    private static <Q extends com.google.protobuf.Message, R extends com.google.protobuf.Message>
            MethodDescriptor<Q, R> method(String name, Q request, R response) {
        return MethodDescriptor.<Q, R>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(ProtoUtils.marshaller(request))
                .setResponseMarshaller(ProtoUtils.marshaller(response))
                .build();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
