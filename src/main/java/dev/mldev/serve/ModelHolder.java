package dev.mldev.serve;

import dev.mldev.bundle.Bundle;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import dev.mldev.runtime.SessionFactory;
import dev.mldev.runtime.TensorBudget;
import java.time.Duration;
import java.util.List;
import java.util.function.DoubleConsumer;

/**
 * Scale to zero on one machine: the model is loaded by the first batch that needs it and closed (freeing its
 * memory, on the GPU too) once it has been idle for the unload period. Loads and runs happen under one lock,
 * so a load is single-flight and an unload never pulls the model from under a running batch.
 */
final class ModelHolder implements Batcher.Model {
    private final Bundle bundle;
    private final SessionFactory sessions;
    private final Device device;
    private final Duration idleUnload;
    private final TensorBudget budget;
    private final DoubleConsumer loadSeconds;
    private volatile Predictor predictor;
    private volatile long lastUsedNanos = System.nanoTime();
    private volatile boolean lastLoadFailed;

    ModelHolder(
            Bundle bundle,
            SessionFactory sessions,
            Device device,
            Duration idleUnload,
            TensorBudget budget,
            DoubleConsumer loadSeconds) {
        this.budget = budget;
        this.bundle = bundle;
        this.sessions = sessions;
        this.device = device;
        this.idleUnload = idleUnload;
        this.loadSeconds = loadSeconds;
    }

    @Override
    public synchronized List<Prediction> run(List<Predictor.Decoded> images, int topK) {
        lastUsedNanos = System.nanoTime();
        try {
            return loaded().predictDecoded(images, topK);
        } finally {
            lastUsedNanos = System.nanoTime();
        }
    }

    /** Loads now (--preload). */
    synchronized void load() {
        loaded();
    }

    /** Opens and closes the model once, so a server never starts with a model it cannot load. */
    synchronized void checkLoadable() {
        sessions.open(bundle, device).close();
    }

    /** Closes the model if it has been idle for the unload period; called periodically. */
    synchronized void unloadIfIdle() {
        if (predictor != null && idleSeconds() >= idleUnload.toMillis() / 1000.0) {
            unload();
        }
    }

    synchronized void unload() {
        if (predictor != null) {
            predictor.close();
            predictor = null;
        }
    }

    @Override
    public boolean isLoaded() {
        return predictor != null;
    }

    /** False once a load has failed (until one succeeds): health then answers 503. */
    boolean healthy() {
        return !lastLoadFailed;
    }

    double idleSeconds() {
        return (System.nanoTime() - lastUsedNanos) / 1e9;
    }

    private Predictor loaded() {
        if (predictor == null) {
            long start = System.nanoTime();
            try {
                predictor = new Predictor(bundle, sessions.open(bundle, device), true, budget);
                lastLoadFailed = false;
            } catch (RuntimeException e) {
                lastLoadFailed = true;
                throw e;
            }
            loadSeconds.accept((System.nanoTime() - start) / 1e9);
        }
        return predictor;
    }
}
