package dev.mldev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class FailuresTest {
    @Test
    void firstLineIsTheMessagesFirstLineOrTheClassName() {
        assertThat(Failures.firstLine(new IOException("disk full\n\tat somewhere")))
                .isEqualTo("disk full");
        assertThat(Failures.firstLine(new IllegalStateException())).isEqualTo("IllegalStateException");
        assertThat(Failures.firstLine((String) null)).isEmpty();
        assertThat(Failures.firstLine("  padded  \nsecond")).isEqualTo("padded");
    }

    @Test
    void anMldevExceptionPassesThroughAsItIs() {
        MldevException known = MldevException.usage("bad flag", "fix it");
        assertThatThrownBy(() -> Failures.wrapping(
                        () -> {
                            throw known;
                        },
                        e -> MldevException.failure("wrapped", null)))
                .isSameAs(known);
    }

    @Test
    void anyOtherExceptionIsWrappedWithItsCause() {
        IOException cause = new IOException("refused");
        assertThatThrownBy(() -> Failures.wrapping(
                        () -> {
                            throw cause;
                        },
                        e -> MldevException.remote("upload failed: " + e.getMessage(), null, e)))
                .isInstanceOf(MldevException.class)
                .hasMessage("upload failed: refused")
                .hasCause(cause);
        assertThat(Failures.wrapping(() -> 42, e -> MldevException.failure("never", null)))
                .isEqualTo(42);
    }

    @Test
    void anInterruptKeepsTheThreadsFlag() {
        assertThatThrownBy(() -> Failures.wrapping(
                        () -> {
                            throw new InterruptedException();
                        },
                        e -> MldevException.failure("interrupted", null)))
                .hasMessage("interrupted");
        assertThat(Thread.interrupted()).isTrue();
    }
}
