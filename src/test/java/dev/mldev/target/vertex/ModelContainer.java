package dev.mldev.target.vertex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mldev.Environment;
import dev.mldev.bundle.Bundle;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.Predictor;
import dev.mldev.runtime.SessionFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The serving container a deployed model runs as, on loopback: the Vertex AI custom-container routes
 * (/health, /predict with {"instances":[{"b64":...}]}) over the real runtime on the CPU, so the fake
 * endpoint's answers come from the real model.
 */
final class ModelContainer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    private final Predictor predictor;
    private final HttpServer server;

    ModelContainer(Bundle bundle, Path home) throws IOException {
        SessionFactory sessions = new SessionFactory(new Environment(Map.of(), home), message -> { }, false);
        predictor = new Predictor(bundle, sessions.open(bundle.modelPath(), Device.CPU), false);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(VertexResources.HEALTH_ROUTE, exchange -> respond(exchange, 200, "{}"));
        server.createContext(VertexResources.PREDICT_ROUTE, this::predict);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    Predictor predictor() {
        return predictor;
    }

    private void predict(HttpExchange exchange) throws IOException {
        JsonNode request = JSON.readTree(exchange.getRequestBody());
        List<Predictor.Input> inputs = new ArrayList<>();
        for (JsonNode instance : request.path("instances")) {
            inputs.add(new Predictor.Input("instance-" + inputs.size(), Base64.getDecoder().decode(instance.path("b64").asText())));
        }
        respond(exchange, 200, JSON.writeValueAsString(Map.of("predictions", predictor.predict(inputs, 0))));
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        predictor.close();
    }
}
