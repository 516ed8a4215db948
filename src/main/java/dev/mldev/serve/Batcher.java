package dev.mldev.serve;

import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Dynamic batching: requests that arrive together are run as one batch, each caller getting its own answers
 * back. A batch holds up to the size that has run fastest per image (at most {@code maxBatch}; see
 * {@link BatchSizer}). The worker waits up to the batch window only while more requests are known to be on their
 * way, so a lone caller never pays the window.
 */
final class Batcher implements AutoCloseable {
    /** What runs a batch: the model, loaded on demand (see {@link ModelHolder}). */
    interface Model {
        boolean isLoaded();

        List<Prediction> run(List<Predictor.Decoded> images, int topK);
    }

    private record Job(List<Predictor.Decoded> images, int topK, CompletableFuture<List<Prediction>> result) {}

    private final Model model;
    private final BatchSizer sizer;
    private final long windowNanos;
    private final IntConsumer batchSizes;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger expected = new AtomicInteger();
    private final Thread worker;
    private volatile boolean closing;

    Batcher(Model model, int maxBatch, long windowNanos, IntConsumer batchSizes) {
        this.model = model;
        this.sizer = new BatchSizer(maxBatch);
        this.windowNanos = windowNanos;
        this.batchSizes = batchSizes;
        this.worker = new Thread(this::work, "mldev-batcher");
        worker.setDaemon(true);
        worker.start();
    }

    /** A request has arrived and will submit soon (it is still decoding): worth waiting for. */
    void expect() {
        expected.incrementAndGet();
    }

    /** A request that called {@link #expect()} will not submit after all. */
    void withdraw() {
        expected.decrementAndGet();
    }

    /** Queues decoded images of one request (which called {@link #expect()} before). */
    CompletableFuture<List<Prediction>> submit(List<Predictor.Decoded> images, int topK) {
        CompletableFuture<List<Prediction>> result = new CompletableFuture<>();
        queue.add(new Job(images, topK, result));
        return result;
    }

    private void work() {
        while (!closing || !queue.isEmpty()) {
            try {
                Job first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first != null) {
                    run(gather(first));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** False once the worker has stopped: nothing queued now would ever be answered. */
    boolean isRunning() {
        return worker.isAlive() && !closing;
    }

    private List<Job> gather(Job first) throws InterruptedException {
        List<Job> jobs = new ArrayList<>(List.of(first));
        int images = first.images().size();
        int cap = sizer.next();
        long deadline = System.nanoTime() + windowNanos;
        while (images < cap) {
            Job next = queue.poll();
            if (next == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || expected.get() <= jobs.size()) {
                    break;
                }
                next = queue.poll(left, TimeUnit.NANOSECONDS);
                if (next == null) {
                    break;
                }
            }
            jobs.add(next);
            images += next.images().size();
        }
        return jobs;
    }

    /** Runs the gathered jobs, one model call per distinct top-k, and hands each job its slice. */
    private void run(List<Job> jobs) {
        Map<Integer, List<Job>> byTopK = new LinkedHashMap<>();
        jobs.forEach(job ->
                byTopK.computeIfAbsent(job.topK(), k -> new ArrayList<>()).add(job));
        for (Map.Entry<Integer, List<Job>> group : byTopK.entrySet()) {
            List<Predictor.Decoded> all = new ArrayList<>();
            group.getValue().forEach(job -> all.addAll(job.images()));
            try {
                batchSizes.accept(all.size());
                boolean loaded = model.isLoaded();
                long start = System.nanoTime();
                List<Prediction> predictions = model.run(all, group.getKey());
                if (loaded) { // a run that first loaded the model says nothing about the batch size
                    sizer.ran(all.size(), System.nanoTime() - start);
                }
                int from = 0;
                for (Job job : group.getValue()) {
                    job.result()
                            .complete(predictions.subList(
                                    from, from + job.images().size()));
                    from += job.images().size();
                }
            } catch (RuntimeException | Error e) {
                // an Error too (OutOfMemoryError from a huge batch) fails this batch's requests only; the
                // worker lives on for the next batch
                group.getValue().forEach(job -> job.result().completeExceptionally(e));
            } finally {
                expected.addAndGet(-group.getValue().size());
            }
        }
    }

    /** Finishes what is queued, then stops the worker. */
    @Override
    public void close() {
        closing = true;
        try {
            worker.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
