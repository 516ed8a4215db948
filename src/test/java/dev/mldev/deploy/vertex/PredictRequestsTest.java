package dev.mldev.deploy.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.MldevException;
import dev.mldev.deploy.PredictClient;
import dev.mldev.runtime.PendingImage;
import dev.mldev.runtime.Predictor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PredictRequestsTest {
    static Predictor.Input image(String name, int bytes) {
        return new Predictor.Input(name, new byte[bytes]);
    }

    @Test
    void eachRequestBodyStaysUnderTheLimitAndTheOrderIsKept() {
        List<Predictor.Input> images = List.of(image("a", 3000), image("b", 3000), image("c", 300), image("d", 6000));
        long limit = 8200;

        List<List<Predictor.Input>> requests = PredictRequests.split(images, limit);

        assertThat(requests)
                .extracting(r -> r.stream().map(Predictor.Input::name).toList())
                .containsExactly(List.of("a", "b"), List.of("c"), List.of("d"));
        for (List<Predictor.Input> request : requests) {
            assertThat((long) PredictClient.body(request, Integer.MAX_VALUE).length())
                    .isLessThanOrEqualTo(limit);
        }
        assertThat(PredictRequests.split(images, PredictRequests.DEDICATED_ENDPOINT_LIMIT))
                .hasSize(1);
    }

    @Test
    void anImageTooLargeForOneRequestIsRefusedBeforeSending() {
        assertThatThrownBy(() -> PredictRequests.split(
                        List.of(image("huge.png", 8_000_000)), PredictRequests.DEDICATED_ENDPOINT_LIMIT))
                .isInstanceOf(MldevException.class)
                .hasMessage(
                        "huge.png is 10.7 MB as base64 JSON; a dedicated endpoint takes at most 10.0 MB per request")
                .satisfies(e -> assertThat(((MldevException) e).kind()).isEqualTo(MldevException.Kind.USAGE));
    }

    @Test
    void aStreamIsGroupedAsItIsReadWithFailedImagesInTheirPlaces() {
        AtomicInteger reads = new AtomicInteger();
        List<PendingImage> pending = new ArrayList<>();
        for (Predictor.Input input :
                List.of(image("a", 3000), image("b", 3000), image("c", 300), image("huge", 9000), image("d", 6000))) {
            pending.add(new PendingImage(input.name(), () -> {
                reads.incrementAndGet();
                return input.bytes();
            }));
        }
        pending.add(2, new PendingImage("unreadable", () -> {
            throw MldevException.usage("cannot read unreadable", null);
        }));
        long limit = 8200;

        PredictRequests.Batches batches = new PredictRequests.Batches(pending.iterator(), limit);
        List<PredictRequests.Slot> first = batches.next();

        assertThat(reads.get())
                .as("the first request's images and the next, which did not fit")
                .isEqualTo(3);
        List<List<PredictRequests.Slot>> requests = new ArrayList<>(List.of(first));
        batches.forEachRemaining(requests::add);
        assertThat(requests)
                .extracting(r -> r.stream().map(PredictRequests.Slot::name).toList())
                .containsExactly(List.of("a", "b", "unreadable"), List.of("c", "huge"), List.of("d"));
        assertThat(requests.get(0).get(2).failed().failure()).hasMessage("cannot read unreadable");
        assertThat(requests.get(1).get(1).failed().failure())
                .hasMessageStartingWith("huge is 0.0 MB as base64 JSON; a dedicated endpoint takes at most");
        for (List<PredictRequests.Slot> request : requests) {
            List<Predictor.Input> inputs = request.stream()
                    .map(PredictRequests.Slot::input)
                    .filter(Objects::nonNull)
                    .toList();
            assertThat((long) PredictClient.body(inputs, Integer.MAX_VALUE).length())
                    .isLessThanOrEqualTo(limit);
        }
    }
}
