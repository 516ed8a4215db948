package dev.mldev.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mldev.MldevException;
import dev.mldev.runtime.ImageResult;
import dev.mldev.runtime.PendingImage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A streamed predict through a deployment: several requests in flight, never more than allowed, answers handed
 * over in input order whatever order they come back in, one bad image a failed result, a broken server a stop.
 */
class PredictClientStreamTest {
    private static final Pattern B64 = Pattern.compile("\"b64\":\"([^\"]*)\"");

    private HttpServer server;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private URI url;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/predict", this::answer);
        server.start();
        url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/predict");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    /** Echoes the image's text as its label; "bad" is refused with 400, "boom" with 500; early images answer last. */
    private void answer(HttpExchange exchange) throws IOException {
        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        requests.incrementAndGet();
        try {
            Matcher m = B64.matcher(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String text = m.find() ? new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8) : "?";
            Thread.sleep(text.startsWith("img-") ? 40 - Integer.parseInt(text.substring(4)) % 4 * 10 : 0);
            int status = text.equals("bad") ? 400 : text.equals("boom") ? 500 : 200;
            String body = status == 200
                    ? "{\"predictions\":[{\"label\":\"" + text + "\",\"score\":1.0}]}"
                    : "{\"error\":\"instances[0] is " + (status == 400 ? "not an image" : "on fire") + "\"}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
            exchange.close();
        }
    }

    private static PendingImage image(String name, String content) {
        return new PendingImage(name, () -> content.getBytes(StandardCharsets.UTF_8));
    }

    private List<ImageResult> predictEach(List<PendingImage> images, int limit) {
        List<ImageResult> results = new ArrayList<>();
        new PredictClient()
                .predictEach(
                        url,
                        null,
                        images.iterator(),
                        0,
                        Duration.ofSeconds(10),
                        limit,
                        e -> MldevException.failure("answered " + e.status() + ": " + e.getMessage(), null),
                        results::add);
        return results;
    }

    @Test
    void severalRequestsAreInFlightAndAnswersComeOutInInputOrder() {
        List<PendingImage> images = IntStream.range(0, 40)
                .mapToObj(i -> image("f" + i + ".png", "img-" + i))
                .toList();
        List<ImageResult> results = predictEach(images, 4);
        assertThat(results)
                .extracting(ImageResult::image)
                .containsExactlyElementsOf(
                        images.stream().map(PendingImage::name).toList());
        assertThat(results)
                .extracting(r -> r.prediction().label())
                .containsExactlyElementsOf(
                        IntStream.range(0, 40).mapToObj(i -> "img-" + i).toList());
        assertThat(results.get(7).prediction().image()).isEqualTo("f7.png");
        assertThat(mostInFlight.get()).isBetween(2, 4);
    }

    @Test
    void aRefusedImageIsAFailedResultNamedByItsFile() {
        List<ImageResult> results =
                predictEach(List.of(image("a.png", "img-0"), image("notes.md", "bad"), image("c.png", "img-2")), 8);
        assertThat(results).extracting(ImageResult::ok).containsExactly(true, false, true);
        assertThat(results.get(1).failure().getMessage()).isEqualTo("answered 400: notes.md is not an image");
    }

    @Test
    void aServerErrorStopsTheStream() {
        List<PendingImage> images = new ArrayList<>(List.of(image("a.png", "img-0"), image("b.png", "boom")));
        IntStream.range(0, 50).forEach(i -> images.add(image("late-" + i, "img-" + i)));
        List<ImageResult> results = new ArrayList<>();
        assertThatThrownBy(() -> new PredictClient()
                        .predictEach(
                                url,
                                null,
                                images.iterator(),
                                0,
                                Duration.ofSeconds(10),
                                2,
                                e -> MldevException.failure("answered " + e.status() + ": " + e.getMessage(), null),
                                results::add))
                .isInstanceOf(MldevException.class)
                .hasMessage("answered 500: b.png is on fire");
        assertThat(results).extracting(ImageResult::image).containsExactly("a.png");
        assertThat(requests.get()).isLessThan(10);
    }
}
