package dev.mldev.serve;

import dev.mldev.deploy.PredictClient;
import dev.mldev.runtime.Predictor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Plain HTTP calls against a server under test. */
final class ServerHarness {
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String url, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String predictBody(byte[]... images) {
        return PredictClient.body(
                java.util.Arrays.stream(images)
                        .map(b -> new Predictor.Input("x", b))
                        .toList(),
                0);
    }

    /** A sample's value from Prometheus text, e.g. metric("mldev_model_loaded", text). */
    static double metric(String text, String sample) {
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
        if (!m.find()) {
            throw new AssertionError("no sample " + sample + " in\n" + text);
        }
        return Double.parseDouble(m.group(1));
    }

    static List<String> lines(String text) {
        return text.lines().toList();
    }

    private ServerHarness() {}
}
