package dev.mldev.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.MldevException;
import dev.mldev.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Device choice: the cheap probe, the CPU fallback, and a failed CUDA start remembered for the next run. */
class SessionFactoryTest {
    @TempDir
    Path dir;

    @Test
    void noDriverMeansCpuWithOneNoticeAndCudaRefused() {
        List<String> notices = new ArrayList<>();
        SessionFactory factory = new SessionFactory(
                dir.resolve("verdict"), new CudaProbe(dir.resolve("no-such-driver"), List.of()), notices::add, false);
        try (ModelSession session = factory.open(TestModels.file(TestModels.CLS), Device.AUTO)) {
            assertThat(session.provider()).isEqualTo(SessionFactory.CPU);
        }
        factory.open(TestModels.file(TestModels.CLS), Device.AUTO).close();
        assertThat(notices)
                .singleElement()
                .asString()
                .contains("no NVIDIA GPU driver")
                .contains("running on the CPU");
        assertThatThrownBy(() -> factory.open(TestModels.file(TestModels.CLS), Device.CUDA))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining("no NVIDIA GPU driver");
    }

    @Test
    void missingCudnnIsNamed() throws Exception {
        Path driver =
                Files.writeString(dir.resolve("version"), "NVRM version: NVIDIA UNIX x86_64 Kernel Module 550.0\n");
        Path libs = Files.createDirectories(dir.resolve("lib"));
        for (String lib : List.of("libcuda.so.1", "libcudart.so.12", "libcublasLt.so.12")) {
            Files.createFile(libs.resolve(lib));
        }
        CudaProbe.Result result = new CudaProbe(driver, List.of(libs)).probe();
        assertThat(result.usable()).isFalse();
        assertThat(result.reason()).contains("libcudnn.so.9").contains("cuDNN 9");
    }

    /** Libraries that look right but are not: ONNX Runtime's CUDA start fails once, then auto skips it. */
    @Test
    void aFailedCudaStartIsRememberedPerFingerprint() throws Exception {
        Path driver = Files.writeString(dir.resolve("version"), "NVRM version: fake\n");
        Path libs = Files.createDirectories(dir.resolve("lib"));
        for (String lib : List.of("libcuda.so.1", "libcudart.so.12", "libcublasLt.so.12", "libcudnn.so.9")) {
            Files.createFile(libs.resolve(lib));
        }
        Path verdict = dir.resolve("cache/cuda-verdict.txt");
        List<String> notices = new ArrayList<>();
        CudaProbe probe = new CudaProbe(driver, List.of(libs));
        try (ModelSession first = new SessionFactory(verdict, probe, notices::add, false)
                .open(TestModels.file(TestModels.CLS), Device.AUTO)) {
            assertThat(first.provider()).isEqualTo(SessionFactory.CPU);
        }
        assertThat(verdict).exists();
        assertThat(notices).singleElement().asString().startsWith("CUDA not available");

        notices.clear();
        try (ModelSession second = new SessionFactory(verdict, probe, notices::add, false)
                .open(TestModels.file(TestModels.CLS), Device.AUTO)) {
            assertThat(second.provider()).isEqualTo(SessionFactory.CPU);
        }
        assertThat(notices)
                .singleElement()
                .asString()
                .contains("failed to start earlier")
                .contains("mldev doctor");
    }

    /** The second open of a bundle's model uses the cached optimised graph and answers the same. */
    @Test
    void optimisedGraphIsCachedAndGivesTheSameAnswers() throws Exception {
        Path home = dir.resolve("home");
        dev.mldev.testing.CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.CLS).toString(),
                "--preset",
                "ppocr-cls",
                "--out",
                home.resolve("cls").toString());
        dev.mldev.bundle.Bundle bundle = dev.mldev.bundle.Bundle.openVerified(home.resolve("cls"));
        SessionFactory factory = new SessionFactory(
                dir.resolve("cache/cuda-verdict.txt"),
                new CudaProbe(dir.resolve("no-driver"), List.of()),
                m -> {},
                false);
        byte[] png = dev.mldev.testing.TextImages.encode(dev.mldev.testing.TextImages.line("cached"), "png");
        List<Predictor.Input> input = List.of(new Predictor.Input("x", png));
        Prediction fresh;
        try (Predictor predictor = new Predictor(bundle, factory.open(bundle, Device.CPU), false)) {
            fresh = predictor.predict(input, 2).get(0);
        }
        try (var cached = Files.list(dir.resolve("cache/optimized"))) {
            assertThat(cached.toList())
                    .singleElement()
                    .asString()
                    .contains("-CPUExecutionProvider-")
                    .endsWith(".onnx");
        }
        try (Predictor predictor = new Predictor(bundle, factory.open(bundle, Device.CPU), false)) {
            Prediction again = predictor.predict(input, 2).get(0);
            assertThat(again.label()).isEqualTo(fresh.label());
            assertThat(again.score()).isCloseTo(fresh.score(), org.assertj.core.data.Offset.offset(1e-5));
        }
    }
}
