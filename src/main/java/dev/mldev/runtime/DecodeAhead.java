package dev.mldev.runtime;

import dev.mldev.MldevException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads and decodes images on background threads, a bounded number ahead of the one the caller takes, and hands
 * them over in order. Started before the model is loaded, it decodes while the session opens; after that only
 * {@code depth} images are held at once, however many the stream has.
 */
public final class DecodeAhead implements AutoCloseable {
    private final Iterator<PendingImage> images;
    private final int depth;
    private final ExecutorService pool;
    private final ArrayDeque<Slot> ahead = new ArrayDeque<>();

    private record Slot(String name, Future<Predictor.Decoded> decoded) {}

    /** One image, decoded or with the reason it could not be read or decoded. */
    public record Item(String name, Predictor.Decoded decoded, MldevException failure) {}

    private DecodeAhead(Iterator<PendingImage> images, int depth) {
        this.images = images;
        this.depth = depth;
        int threads = Math.max(1, Math.min(depth, Runtime.getRuntime().availableProcessors()));
        this.pool = Executors.newFixedThreadPool(threads, work -> {
            Thread thread = new Thread(work, "mldev-decode");
            thread.setDaemon(true);
            return thread;
        });
        fill();
    }

    /** Starts reading and decoding the first {@code depth} images at once. */
    public static DecodeAhead start(Iterator<PendingImage> images, int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be positive: " + depth);
        }
        return new DecodeAhead(images, depth);
    }

    public boolean hasNext() {
        return !ahead.isEmpty();
    }

    /** Whether {@link #next()} would return without waiting. */
    public boolean nextIsReady() {
        return !ahead.isEmpty() && ahead.peek().decoded().isDone();
    }

    /** The next image in order, waiting for its decoding; starts decoding one more. */
    public Item next() {
        Slot slot = ahead.remove();
        fill();
        try {
            return new Item(slot.name(), slot.decoded().get(), null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MldevException failure) {
                return new Item(slot.name(), null, failure);
            }
            if (e.getCause() instanceof RuntimeException bug) {
                throw bug;
            }
            throw new IllegalStateException("decoding " + slot.name() + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MldevException.failure("interrupted", null);
        }
    }

    private void fill() {
        while (ahead.size() < depth && images.hasNext()) {
            PendingImage image = images.next();
            ahead.add(new Slot(image.name(), pool.submit(() -> Predictor.Decoded.of(image.read()))));
        }
    }

    /** Stops decoding what nobody will take. */
    @Override
    public void close() {
        pool.shutdownNow();
    }
}
