package dev.mldev.deploy.vertex;

import dev.mldev.MldevException;
import dev.mldev.runtime.ImageResult;
import dev.mldev.runtime.PendingImage;
import dev.mldev.runtime.Predictor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

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
                throw tooLarge(image, bytes, limit);
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

    private static MldevException tooLarge(Predictor.Input image, long bytes, long limit) {
        return MldevException.usage(
                image.name() + " is " + megabytes(bytes) + " as base64 JSON; a dedicated endpoint" + " takes at most "
                        + megabytes(limit) + " per request",
                "send a smaller or more compressed image (JPEG or PNG)");
    }

    /** One image's place in a request: read, or failed (unreadable, or over the limit on its own). */
    record Slot(String name, Predictor.Input input, ImageResult failed) {}

    /**
     * The requests for a stream of images, read only as each request is taken: each holds as many images, in
     * input order, as fit under the limit. An image that cannot be read or that is over the limit on its own
     * keeps its place as a failed slot. At most one image beyond the request taken is held.
     */
    static final class Batches implements Iterator<List<Slot>> {
        private final Iterator<PendingImage> images;
        private final long limit;
        private Slot carried; // read, but it did not fit in the request before

        Batches(Iterator<PendingImage> images, long limit) {
            this.images = images;
            this.limit = limit;
        }

        @Override
        public boolean hasNext() {
            return carried != null || images.hasNext();
        }

        @Override
        public List<Slot> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            List<Slot> request = new ArrayList<>();
            long size = ENVELOPE;
            boolean holdsImage = false;
            while (hasNext()) {
                Slot slot = carried != null ? carried : read(images.next());
                carried = null;
                if (slot.input() != null) {
                    long bytes = jsonBytes(slot.input());
                    if (holdsImage && size + bytes > limit) {
                        carried = slot;
                        break;
                    }
                    size += bytes;
                    holdsImage = true;
                }
                request.add(slot);
            }
            return request;
        }

        private Slot read(PendingImage image) {
            try {
                Predictor.Input input = image.read();
                long bytes = jsonBytes(input);
                return ENVELOPE + bytes > limit
                        ? new Slot(image.name(), null, ImageResult.failed(image.name(), tooLarge(input, bytes, limit)))
                        : new Slot(image.name(), input, null);
            } catch (MldevException e) {
                return new Slot(image.name(), null, ImageResult.failed(image.name(), e));
            }
        }
    }

    private static long jsonBytes(Predictor.Input image) {
        return 4 * ((image.bytes().length + 2L) / 3) + PER_INSTANCE;
    }

    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
