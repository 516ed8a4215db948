package dev.mldev.runtime;

import dev.mldev.MldevException;
import dev.mldev.bundle.Bundle;
import dev.mldev.runtime.ImageDecoder.BgrImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The whole path from image bytes to answers for one bundle: decode, preprocess, batch, run, decode outputs.
 * Images whose tensors have the same shape run as one batch; with {@code padToWidest}, images of a
 * keep-aspect bundle share a batch padded on the right to the widest of them (as PaddleOCR batches lines).
 */
public final class Predictor implements AutoCloseable {
    private static final int MAX_BATCH = 32;

    private final ModelSession session;
    private final Preprocessor preprocessor;
    private final OutputDecoder decoder;
    private final boolean padToWidest;
    private final TensorBudget budget;
    private float[] batchBuffer = new float[0];

    public Predictor(Bundle bundle, ModelSession session, boolean padToWidest) {
        this(bundle, session, padToWidest, TensorBudget.DEFAULT);
    }

    public Predictor(Bundle bundle, ModelSession session, boolean padToWidest, TensorBudget budget) {
        this.session = session;
        this.budget = budget;
        this.preprocessor = new Preprocessor(bundle.manifest().preprocess());
        this.decoder = OutputDecoder.forBundle(bundle);
        this.padToWidest =
                padToWidest && !bundle.manifest().preprocess().resize().isFixed();
    }

    /** An image to predict: its name (path or instance number) and its encoded bytes. */
    public record Input(String name, byte[] bytes) {}

    public String provider() {
        return session.provider();
    }

    /** An image decoded ahead of the batch, with the time its decoding took. */
    public record Decoded(String name, BgrImage image, double decodeMs) {
        public static Decoded of(Input input) {
            long start = System.nanoTime();
            BgrImage image = ImageDecoder.decode(input.bytes(), input.name());
            return new Decoded(input.name(), image, millisSince(start));
        }
    }

    /** One prediction per input, in order. Throws MldevException naming the first image that cannot be read. */
    public List<Prediction> predict(List<Input> inputs, int topK) {
        return predictDecoded(decodeAll(inputs), topK);
    }

    /** Decodes the inputs in parallel, in order. Throws MldevException naming the first image that cannot be read. */
    public static List<Decoded> decodeAll(List<Input> inputs) {
        Decoded[] decoded = new Decoded[inputs.size()];
        parallel(inputs.size()).forEach(i -> decoded[i] = Decoded.of(inputs.get(i)));
        return List.of(decoded);
    }

    /**
     * One prediction per decoded image, in order, batching images whose tensors can share a batch. Throws a
     * usage MldevException, before any tensor is built, when an image is beyond the tensor budget.
     */
    public synchronized List<Prediction> predictDecoded(List<Decoded> images, int topK) {
        for (Decoded decoded : images) {
            budget.check(
                    preprocessor,
                    decoded.name(),
                    decoded.image().width(),
                    decoded.image().height());
        }
        Prediction[] results = new Prediction[images.size()];
        for (List<Integer> batch : batches(images)) {
            runBatch(batch, images, topK, results);
        }
        return List.of(results);
    }

    /**
     * Predicts a stream of images, handing each result to {@code results} in input order as soon as it and all
     * before it are done. Each run batches what is decoded by then (at most {@link #MAX_BATCH} images), so the
     * first results come out while later images are still being read. An image that cannot be read or decoded,
     * or is beyond the tensor budget, becomes a failed result; {@code results} may throw to stop the stream.
     */
    public synchronized void predictEach(DecodeAhead images, int topK, Consumer<ImageResult> results) {
        while (images.hasNext()) {
            List<DecodeAhead.Item> window = new ArrayList<>();
            window.add(images.next());
            while (window.size() < MAX_BATCH && images.nextIsReady()) {
                window.add(images.next());
            }
            predictWindow(window, topK, results);
        }
    }

    /** Ahead of the window, at most: what is decoded while a batch runs. */
    public static int decodeDepth() {
        return MAX_BATCH;
    }

    private void predictWindow(List<DecodeAhead.Item> window, int topK, Consumer<ImageResult> results) {
        ImageResult[] done = new ImageResult[window.size()];
        List<Decoded> runnable = new ArrayList<>();
        List<Integer> places = new ArrayList<>();
        for (int i = 0; i < window.size(); i++) {
            DecodeAhead.Item item = window.get(i);
            MldevException failure = item.failure() != null ? item.failure() : budgetFailure(item.decoded());
            if (failure != null) {
                done[i] = ImageResult.failed(item.name(), failure);
            } else {
                places.add(i);
                runnable.add(item.decoded());
            }
        }
        Prediction[] predictions = new Prediction[runnable.size()];
        int emitted = emitReady(done, 0, results);
        for (List<Integer> batch : batches(runnable)) {
            runBatch(batch, runnable, topK, predictions);
            for (int j : batch) {
                done[places.get(j)] = ImageResult.of(predictions[j]);
            }
            emitted = emitReady(done, emitted, results);
        }
    }

    /** Hands over the results from {@code from} up to the first not done yet; returns where it stopped. */
    private static int emitReady(ImageResult[] done, int from, Consumer<ImageResult> results) {
        int i = from;
        while (i < done.length && done[i] != null) {
            results.accept(done[i]);
            done[i] = null; // handed over: not held until the window ends
            i++;
        }
        return i;
    }

    private MldevException budgetFailure(Decoded decoded) {
        try {
            budget.check(
                    preprocessor,
                    decoded.name(),
                    decoded.image().width(),
                    decoded.image().height());
            return null;
        } catch (MldevException e) {
            return e;
        }
    }

    private void runBatch(List<Integer> batch, List<Decoded> images, int topK, Prediction[] results) {
        int count = batch.size();
        Preprocessor.Size[] sizes = new Preprocessor.Size[count];
        int height = 0;
        int width = 0;
        for (int j = 0; j < count; j++) {
            BgrImage image = images.get(batch.get(j)).image();
            sizes[j] = preprocessor.sizeFor(image.width(), image.height());
            height = sizes[j].height();
            width = Math.max(width, sizes[j].width());
        }
        int itemSize = 3 * height * width;
        float[] buffer = buffer(count * itemSize);
        double[] preprocessMs = new double[count];
        int tensorHeight = height;
        int tensorWidth = width;
        parallel(count).forEach(j -> {
            long start = System.nanoTime();
            Preprocessor.Size padded = new Preprocessor.Size(tensorHeight, tensorWidth, sizes[j].contentWidth());
            preprocessor.write(images.get(batch.get(j)).image(), padded, buffer, j * itemSize);
            preprocessMs[j] = millisSince(start);
        });
        long inferenceStart = System.nanoTime();
        List<Tensor> outputs = session.run(buffer, preprocessor.tensorShape(count, height, width));
        double inferenceMs = millisSince(inferenceStart) / count;
        for (int j = 0; j < count; j++) {
            long start = System.nanoTime();
            Prediction decoded = decoder.decode(outputs, j, topK);
            int i = batch.get(j);
            results[i] = decoded.with(
                    images.get(i).name(),
                    session.provider(),
                    new Prediction.Timings(
                            round(images.get(i).decodeMs()),
                            round(preprocessMs[j]),
                            round(inferenceMs),
                            round(millisSince(start))));
        }
    }

    /**
     * Indices of images grouped by tensor shape (or by height alone when padding), in chunks of at most
     * MAX_BATCH images whose tensor (padded to the widest of the chunk) stays within the budget.
     */
    private List<List<Integer>> batches(List<Decoded> images) {
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        Preprocessor.Size[] sizes = new Preprocessor.Size[images.size()];
        for (int i = 0; i < images.size(); i++) {
            BgrImage image = images.get(i).image();
            sizes[i] = preprocessor.sizeFor(image.width(), image.height());
            String key = padToWidest ? Integer.toString(sizes[i].height()) : sizes[i].height() + "x" + sizes[i].width();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> batches = new ArrayList<>();
        for (List<Integer> group : groups.values()) {
            List<Integer> chunk = new ArrayList<>();
            int widest = 0;
            for (int i : group) {
                int width = Math.max(widest, sizes[i].width());
                long elements = 3L * sizes[i].height() * width * (chunk.size() + 1);
                if (!chunk.isEmpty() && (chunk.size() == MAX_BATCH || elements > budget.maxBatchElements())) {
                    batches.add(chunk);
                    chunk = new ArrayList<>();
                    width = sizes[i].width();
                }
                chunk.add(i);
                widest = width;
            }
            batches.add(chunk);
        }
        return batches;
    }

    private float[] buffer(int size) {
        if (batchBuffer.length < size) {
            batchBuffer = new float[size];
        }
        return batchBuffer;
    }

    private static IntStream parallel(int n) {
        IntStream range = IntStream.range(0, n);
        return n > 1 ? range.parallel() : range;
    }

    private static double millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }

    @Override
    public void close() {
        session.close();
    }
}
