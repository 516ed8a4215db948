package dev.mldev.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.Environment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoctorTest {
    @TempDir
    Path home;

    @Test
    void reportsOnnxRuntimeItsProvidersAndWhereModelsWillRun() {
        List<String> notices = new ArrayList<>();
        Doctor.Report report = Doctor.report(new Environment(Map.of(), home), notices::add, false);
        assertThat(report.onnxruntime()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(report.providersCompiledIn()).contains(SessionFactory.CPU);
        assertThat(report.willRunOn()).isEqualTo(report.cudaUsable() ? SessionFactory.CUDA : SessionFactory.CPU);
        assertThat(report.cudaReason()).isNotBlank();
        assertThat(report.toMap())
                .containsOnlyKeys(
                        "java",
                        "onnxruntime",
                        "providers_compiled_in",
                        "cuda_usable",
                        "cuda_reason",
                        "will_run_on",
                        "native_library_path");
        assertThat(report.toMap().keySet()).first().isEqualTo("java");
    }
}
