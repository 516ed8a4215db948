package dev.mldev.deploy.vertex;

import dev.mldev.Environment;
import dev.mldev.bundle.Bundle;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.SessionFactory;
import dev.mldev.serve.PredictServer;
import dev.mldev.serve.ServeOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The serving container a deployed model runs as: the real {@code mldev serve} server on loopback, on the
 * CPU, with the routes mldev registers on the Model, so the fake endpoint's answers come from the real model.
 */
public final class ModelContainer implements AutoCloseable {
    private final PredictServer server;

    public ModelContainer(Bundle bundle, Path home) throws IOException {
        ServeOptions options = new ServeOptions(
                bundle.dir(),
                "127.0.0.1",
                0,
                VertexResources.HEALTH_ROUTE,
                VertexResources.PREDICT_ROUTE,
                Duration.ofMinutes(10),
                true,
                16,
                Duration.ofMillis(5),
                null,
                Device.CPU,
                ServeOptions.DEFAULT_MAX_BODY_BYTES);
        server = PredictServer.start(
                options, bundle, new SessionFactory(new Environment(Map.of(), home), message -> {}, false));
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    @Override
    public void close() {
        server.close();
    }
}
