package dev.mldev.runtime;

import dev.mldev.bundle.Bundle;
import java.nio.file.Path;

/** A bundle opened and verified, with a session on its model: what a predict in this process needs. */
public record LocalModel(Bundle bundle, ModelSession session) implements AutoCloseable {
    /**
     * Opens the bundle at {@code path} (a .zip unpacked under {@code cacheDir}), checks its model against the
     * manifest (trusting the memos under {@code cacheDir} for an unchanged file) and opens a session on
     * {@code device}.
     */
    public static LocalModel open(Path path, Device device, SessionFactory sessions, Path cacheDir) {
        Bundle bundle = Bundle.open(path, cacheDir);
        bundle.verify(cacheDir.resolve("verified"));
        return new LocalModel(bundle, sessions.open(bundle, device));
    }

    @Override
    public void close() {
        session.close();
    }
}
