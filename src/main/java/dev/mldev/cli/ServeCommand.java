package dev.mldev.cli;

import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.bundle.Bundle;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.SessionFactory;
import dev.mldev.serve.BundleLocation;
import dev.mldev.serve.PredictServer;
import dev.mldev.serve.RateLimit;
import dev.mldev.serve.ServeOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

@Command(
        name = "serve",
        sortOptions = false,
        description = {
            "Serve a bundle over HTTP (Vertex AI's custom-container contract).",
            "The model loads on the first request and unloads after --idle-unload without requests.",
            "AIP_HTTP_PORT, AIP_HEALTH_ROUTE, AIP_PREDICT_ROUTE and AIP_STORAGE_URI (a path or gs://...)",
            "override the flags when set, as Vertex AI sets them in its containers; without AIP_HTTP_PORT, PORT",
            "(as Cloud Run sets it) replaces the default port.",
            "GET / is a demo page: pick an image, see the answer (see docs/serve.md)."
        },
        footer = {
            "",
            "Example:",
            "  mldev serve ocr-rec --port 8080 --idle-unload 10m",
            "  curl -s localhost:8080/predict -d '{\"instances\":[{\"b64\":\"'$(base64 -w0 line.png)'\"}]}'"
        })
public final class ServeCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "BUNDLE", description = "Bundle directory or .zip.")
    String bundle;

    @Option(
            names = "--host",
            paramLabel = "ADDR",
            description = "Address to bind (default: 127.0.0.1; 0.0.0.0 under AIP_HTTP_PORT or on Cloud Run).")
    String host;

    @Option(
            names = "--port",
            defaultValue = "8080",
            paramLabel = "PORT",
            description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(
            names = "--idle-unload",
            defaultValue = "10m",
            paramLabel = "DURATION",
            description = "Unload the model after this long without requests (default: ${DEFAULT-VALUE}).")
    Duration idleUnload;

    @Option(names = "--preload", description = "Load the model at start instead of on the first request.")
    boolean preload;

    @Option(
            names = "--max-batch",
            defaultValue = "16",
            paramLabel = "N",
            description =
                    "Most images per model run (default: ${DEFAULT-VALUE}); fewer when smaller batches measure faster.")
    int maxBatch;

    @Option(
            names = "--batch-window",
            defaultValue = "5ms",
            paramLabel = "DURATION",
            description = "How long to gather concurrent requests into a batch (default: ${DEFAULT-VALUE}).")
    Duration batchWindow;

    @Option(
            names = "--auth-token-file",
            paramLabel = "FILE",
            description = "Require 'Authorization: Bearer <token>' with the token in FILE (or set MLDEV_AUTH_TOKEN).")
    Path authTokenFile;

    @Option(
            names = "--device",
            defaultValue = "auto",
            paramLabel = "auto|cuda|cpu",
            description = "Where the model runs.")
    Device device;

    @Option(
            names = "--rate-limit",
            paramLabel = "N/min|off",
            description = "Predictions one client address may make a minute; 429 with Retry-After beyond (default: "
                    + "30/min when public, else off).")
    String rateLimit;

    @Option(
            names = "--public",
            description = "The server is public (behind a proxy, say): turns the rate limit on "
                    + "by default, as listening on a non-loopback --host does.")
    boolean isPublic;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Environment env = env();
        // Cloud Run sets K_SERVICE in every container it runs
        boolean onVertex =
                env.get("AIP_HTTP_PORT").isPresent() || env.get("K_SERVICE").isPresent();
        ServeOptions options = options(env, onVertex);
        PredictServer server = PredictServer.start(
                options,
                Bundle.open(options.bundle()),
                new SessionFactory(env, this::notice, verbose()).withoutSpinning());
        String address = options.host() + ":" + server.port();
        // one line that scripts and tests read the bound port from (--port 0 picks one)
        err().println("mldev serve: listening on http://" + address);
        notice("serving " + options.bundle() + " on http://" + address + " (POST " + options.predictRoute()
                + ", GET " + options.healthRoute() + ", GET /metrics, demo page GET /)"
                + (options.authToken() != null ? ", bearer token required" : "")
                + (options.rateLimit() != null ? ", rate limit " + options.rateLimit() + " per client" : ""));
        if (options.authToken() == null
                && !onVertex
                && !InetAddress.getByName(options.host()).isLoopbackAddress()) {
            notice("warning: listening on " + options.host() + " without a token: anyone who can reach it can use it"
                    + " (set --auth-token-file or MLDEV_AUTH_TOKEN)");
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        stop.await();
        notice("stopping: finishing requests in flight");
        server.stop(Duration.ofSeconds(30));
        return 0;
    }

    private ServeOptions options(Environment env, boolean onVertex) throws IOException {
        String location = env.get("AIP_STORAGE_URI").orElse(bundle);
        if (location == null) {
            throw MldevException.usage("no bundle to serve", "give BUNDLE, or set AIP_STORAGE_URI");
        }
        Path bundlePath = BundleLocation.withDefaultCredentials(env).resolve(location);
        int httpPort = env.get("AIP_HTTP_PORT")
                .map(v -> port("AIP_HTTP_PORT", v))
                .or(() -> spec.commandLine().getParseResult().hasMatchedOption("--port")
                        ? java.util.Optional.empty()
                        : env.get("PORT").map(v -> port("PORT", v)))
                .orElse(port);
        String bindHost = host != null ? host : onVertex ? "0.0.0.0" : "127.0.0.1";
        if (maxBatch < 1) {
            throw MldevException.usage("--max-batch must be 1 or more", null);
        }
        return new ServeOptions(
                bundlePath,
                bindHost,
                httpPort,
                env.get("AIP_HEALTH_ROUTE").orElse("/health"),
                env.get("AIP_PREDICT_ROUTE").orElse(ServeOptions.DEFAULT_PREDICT_ROUTE),
                idleUnload,
                preload,
                maxBatch,
                batchWindow,
                token(env),
                device,
                ServeOptions.DEFAULT_MAX_BODY_BYTES,
                RateLimit.forServer(rateLimit, isPublic, onVertex, bindHost));
    }

    private String token(Environment env) throws IOException {
        if (authTokenFile != null) {
            if (!Files.isRegularFile(authTokenFile)) {
                throw MldevException.usage("--auth-token-file " + authTokenFile + " does not exist", null);
            }
            String token = Files.readString(authTokenFile).trim();
            if (token.isEmpty()) {
                throw MldevException.usage("--auth-token-file " + authTokenFile + " is empty", "put the token in it");
            }
            return token;
        }
        return env.get("MLDEV_AUTH_TOKEN").orElse(null);
    }

    private static int port(String variable, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw MldevException.usage(variable + " is '" + value + "', not a port number", null);
        }
    }
}
