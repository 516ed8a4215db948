package dev.mldev.deploy.vertex;

import dev.mldev.MldevException;
import dev.mldev.runtime.Predictor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits images into predict requests that each stay under a dedicated endpoint's request limit (10 MB), in
 * input order. Sizes are those of the JSON body {@link dev.mldev.deploy.PredictClient#body} writes: each image
 * as base64 in {@code {"b64":"..."}}, plus the envelope.
 */
final class PredictRequests {
    /** Dedicated endpoints take "up to 10 MB"; 10^7 bytes stays under it whether MB means 10^6 or 2^20 bytes. */
    static final long DEDICATED_ENDPOINT_LIMIT = 10_000_000;

    private static final long ENVELOPE = "{\"instances\":[],\"parameters\":{\"top_k\":2147483647}}".length();
    private static final long PER_INSTANCE = "{\"b64\":\"\"},".length();

    private PredictRequests() {}

    static List<List<Predictor.Input>> split(List<Predictor.Input> images, long limit) {
        List<List<Predictor.Input>> requests = new ArrayList<>();
        List<Predictor.Input> current = new ArrayList<>();
        long size = ENVELOPE;
        for (Predictor.Input image : images) {
            long bytes = jsonBytes(image);
            if (ENVELOPE + bytes > limit) {
                throw MldevException.usage(
                        image.name() + " is " + megabytes(bytes) + " as base64 JSON; a dedicated endpoint"
                                + " takes at most " + megabytes(limit) + " per request",
                        "send a smaller or more compressed image (JPEG or PNG)");
            }
            if (!current.isEmpty() && size + bytes > limit) {
                requests.add(current);
                current = new ArrayList<>();
                size = ENVELOPE;
            }
            current.add(image);
            size += bytes;
        }
        if (!current.isEmpty()) {
            requests.add(current);
        }
        return requests;
    }

    private static long jsonBytes(Predictor.Input image) {
        return 4 * ((image.bytes().length + 2L) / 3) + PER_INSTANCE;
    }

    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
