package dev.mldev.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.MldevException;
import dev.mldev.bundle.Preprocess;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorBudgetTest {
    private static Preprocessor keepAspect(int maxWidth) {
        return new Preprocessor(new Preprocess(
                "NCHW",
                "bgr",
                Preprocess.Resize.keepAspect(48, maxWidth, false),
                1 / 255.0,
                List.of(0.5, 0.5, 0.5),
                List.of(0.5, 0.5, 0.5)));
    }

    @Test
    void refusesAnImageWhoseTensorWouldBeWiderThanTheLimit() {
        TensorBudget budget = new TensorBudget(8192, 1_000_000);
        budget.check(keepAspect(0), "line.png", 8192, 48); // exactly at the limit
        assertThatThrownBy(() -> budget.check(keepAspect(0), "wide.png", 5000, 1))
                .isInstanceOf(MldevException.class)
                .hasMessage("image wide.png (5000x1) would need a 48x240000 input tensor, wider than the limit of 8192")
                .satisfies(e -> assertThat(((MldevException) e).kind()).isEqualTo(MldevException.Kind.USAGE))
                .satisfies(e -> assertThat(((MldevException) e).hint()).contains("at most 170 pixels wide"));
    }

    @Test
    void aBundleThatCapsTheWidthItselfIsNotRefused() {
        new TensorBudget(100, 1_000_000).check(keepAspect(320), "wide.png", 5000, 1); // resized down to 320
    }

    /** mldev predict goes through the same Predictor: one line, exit 2, nothing allocated for 48x576000000. */
    @Test
    void theCliRefusesA12000000x1PngWithOneLineAndExit2(@TempDir Path home) throws Exception {
        Path rec = home.resolve("rec");
        assertThat(CliRun.run(
                                home,
                                "package",
                                TestModels.file(TestModels.REC).toString(),
                                "--preset",
                                "ppocr-rec",
                                "--vocab",
                                TestModels.file(TestModels.VOCAB).toString(),
                                "--out",
                                rec.toString())
                        .exitCode)
                .isZero();
        Path image = Files.write(home.resolve("wide.png"), BlankPng.of(12_000_000, 1));
        CliRun run =
                CliRun.run(home, "predict", image.toString(), "--local", "--device", "cpu", "--model", rec.toString());
        assertThat(run.exitCode).as(run.toString()).isEqualTo(2);
        assertThat(run.err)
                .contains("wide.png (12000000x1)", "wider than the limit of 8192")
                .doesNotContain("Exception");
        assertThat(run.err.lines().filter(l -> l.contains("limit")).count()).isEqualTo(1);
    }
}
