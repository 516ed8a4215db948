package dev.mldev.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.mldev.MldevException;
import dev.mldev.bundle.Bundle;
import dev.mldev.bundle.Demo;
import dev.mldev.bundle.Manifest;
import dev.mldev.bundle.Postprocess;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo page every {@code mldev serve} shows at {@code /}: plain HTML, CSS and JavaScript shipped inside mldev
 * (no build step, nothing fetched from elsewhere, so it works offline), {@code /demo.json} with what the page shows
 * about the model, and the bundle's example images at {@code /examples/1}, {@code /examples/2}... Only the examples
 * the manifest lists are served, read into memory at start; no path from a request ever reaches the disk.
 */
final class DemoPage {
    private static final Pattern EXAMPLE = Pattern.compile("/examples/([1-9][0-9]?)");
    /** The page loads only what mldev serves: no CDN, no inline script, no third party. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' blob: data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final Map<String, String> ASSETS = Map.of(
            "/", "index.html",
            "/demo.css", "demo.css",
            "/demo.js", "demo.js");

    /** One answer of the page's routes. */
    record Asset(String contentType, byte[] body, String cacheControl) {
        Map<String, String> headers() {
            return Map.of(
                    "Cache-Control",
                    cacheControl,
                    "X-Content-Type-Options",
                    "nosniff",
                    "Content-Security-Policy",
                    CONTENT_SECURITY_POLICY,
                    "Referrer-Policy",
                    "no-referrer");
        }
    }

    private final Manifest manifest;
    private final String predictRoute;
    private final RateLimit rateLimit;
    private final long maxBodyBytes;
    private final boolean tokenRequired;
    private final BooleanSupplier modelLoaded;
    private final List<Asset> examples;

    DemoPage(Bundle bundle, ServeOptions options, BooleanSupplier modelLoaded) {
        this.manifest = bundle.manifest();
        this.predictRoute = options.predictRoute();
        this.rateLimit = options.rateLimit();
        this.maxBodyBytes = options.maxBodyBytes();
        this.tokenRequired = options.authToken() != null;
        this.modelLoaded = modelLoaded;
        this.examples = examples(bundle);
    }

    /** Whether {@code path} is one of the page's routes (so other methods than GET get 405, not 404). */
    static boolean isRoute(String path) {
        return ASSETS.containsKey(path) || path.equals("/demo.json") || path.startsWith("/examples/");
    }

    /** The answer to {@code GET path}, or null when the page has nothing there (404). */
    Asset get(String path) {
        if (path.equals("/demo.json")) {
            return new Asset("application/json", info().getBytes(StandardCharsets.UTF_8), "no-store");
        }
        String resource = ASSETS.get(path);
        if (resource != null) {
            String type = resource.endsWith(".html")
                    ? "text/html; charset=utf-8"
                    : resource.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            return new Asset(type, Resources.BY_NAME.get(resource), "no-cache");
        }
        Matcher example = EXAMPLE.matcher(path);
        if (example.matches()) {
            int index = Integer.parseInt(example.group(1)) - 1;
            return index < examples.size() ? examples.get(index) : null;
        }
        return null;
    }

    /** What the page shows about the model; read on each page load, so model_loaded is current. */
    private String info() {
        Demo demo = manifest.demo();
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("name", manifest.name());
            g.writeStringField("version", manifest.version());
            g.writeStringField("title", demo != null && demo.title() != null ? demo.title() : manifest.name());
            if (demo != null && demo.description() != null) {
                g.writeStringField("description", demo.description());
            }
            g.writeStringField("kind", kind(manifest.postprocess()));
            g.writeStringField("predict_route", predictRoute);
            g.writeBooleanField("model_loaded", modelLoaded.getAsBoolean());
            g.writeBooleanField("token_required", tokenRequired);
            g.writeNumberField("max_body_bytes", maxBodyBytes);
            if (rateLimit != null) {
                g.writeNumberField("rate_limit_per_minute", rateLimit.perMinute());
            }
            g.writeArrayFieldStart("examples");
            for (int i = 1; i <= examples.size(); i++) {
                g.writeString("examples/" + i);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static String kind(Postprocess postprocess) {
        return postprocess instanceof Postprocess.Ctc
                ? "text"
                : postprocess instanceof Postprocess.Classify ? "classify" : "raw";
    }

    /** The manifest's examples, each read once; one that is missing or too large stops the server from starting. */
    private static List<Asset> examples(Bundle bundle) {
        Demo demo = bundle.manifest().demo();
        List<Asset> assets = new ArrayList<>();
        for (int i = 0; demo != null && i < Math.min(demo.examples().size(), Demo.MAX_EXAMPLES); i++) {
            Path file = bundle.example(i).orElseThrow();
            try {
                if (Files.size(file) > Demo.MAX_EXAMPLE_BYTES) {
                    throw MldevException.failure(
                            "bundle " + bundle.dir() + ": demo example " + file.getFileName() + " has "
                                    + Files.size(file) + " bytes, more than " + Demo.MAX_EXAMPLE_BYTES,
                            "re-create the bundle with 'mldev package --example' and a smaller image");
                }
                assets.add(new Asset(imageType(file), Files.readAllBytes(file), "public, max-age=3600"));
            } catch (IOException e) {
                throw MldevException.failure(
                        "bundle " + bundle.dir() + " lacks its demo example "
                                + demo.examples().get(i) + " (" + e.getMessage() + ")",
                        "re-create the bundle with 'mldev package'");
            }
        }
        return List.copyOf(assets);
    }

    private static String imageType(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String extension = name.substring(name.lastIndexOf('.') + 1);
        return switch (extension) {
            case "jpg", "jpeg" -> "image/jpeg";
            case "png", "gif", "bmp" -> "image/" + extension;
            default -> "application/octet-stream";
        };
    }

    /** The page's files, read from the classpath once. */
    private static final class Resources {
        static final Map<String, byte[]> BY_NAME =
                Map.of("index.html", read("index.html"), "demo.css", read("demo.css"), "demo.js", read("demo.js"));

        private static byte[] read(String name) {
            try (InputStream in = DemoPage.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("mldev is missing its resource dev/mldev/serve/" + name);
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
