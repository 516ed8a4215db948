package dev.mldev.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.MldevException;
import dev.mldev.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A session opened on another thread: handed over once, failures rethrown as they were, never leaked. */
class OpeningTest {
    @TempDir
    Path dir;

    private ModelSession openClassifier() {
        return new SessionFactory(
                        dir.resolve("verdict"), new CudaProbe(dir.resolve("no-driver"), List.of()), m -> {}, false)
                .open(TestModels.file(TestModels.CLS), Device.CPU);
    }

    @Test
    void takeHandsOverTheOpenedSession() {
        try (Opening<ModelSession> opening = Opening.start(this::openClassifier);
                ModelSession session = opening.take()) {
            assertThat(session.provider()).isEqualTo(SessionFactory.CPU);
            assertThat(session.inputs())
                    .singleElement()
                    .extracting(i -> i.name())
                    .isEqualTo("x");
        }
    }

    @Test
    void aFailureToOpenIsRethrownAsItWas() {
        MldevException failure = MldevException.failure("ONNX Runtime cannot load m.onnx: bad", "re-export it");
        try (Opening<ModelSession> opening = Opening.start(() -> {
            throw failure;
        })) {
            assertThatThrownBy(opening::take).isSameAs(failure);
        }
    }

    @Test
    void aSessionNobodyTookIsClosed() {
        AtomicReference<ModelSession> opened = new AtomicReference<>();
        try (Opening<ModelSession> opening = Opening.start(() -> {
            opened.set(openClassifier());
            return opened.get();
        })) {
            // the caller fails before taking it, e.g. on an unreadable image
        }
        assertThat(opened.get()).isNotNull();
        assertThatThrownBy(() -> opened.get().inputs()).isInstanceOf(IllegalStateException.class);
    }
}
