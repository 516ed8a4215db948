package dev.mldev.deploy.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.MldevException;
import dev.mldev.deploy.PredictClient;
import dev.mldev.runtime.Predictor;
import java.util.List;
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
}
