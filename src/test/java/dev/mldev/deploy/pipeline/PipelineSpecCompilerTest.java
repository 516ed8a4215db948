package dev.mldev.deploy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mldev.MldevException;
import dev.mldev.deploy.vertex.Accelerator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The compiled KFP IR, field by field, and as a whole against the committed golden file. */
class PipelineSpecCompilerTest {
    static final String GOLDEN = "/dev/mldev/deploy/pipeline/pipeline-golden.json";
    static final PipelineSpec SPEC = new PipelineSpec(
            "ocr",
            "my-project-1",
            "us-central1",
            "my-bucket",
            "g2-standard-8",
            Optional.of(Accelerator.L4),
            1,
            "us-docker.pkg.dev/my-project-1/mldev/serve:1",
            8,
            32);

    JsonNode compiled() {
        return PipelineSpecCompiler.compile(SPEC, "gs://my-bucket/mldev/ocr/1-0-0/", "mldev-0.1.0");
    }

    @Test
    void schemaAndPipelineInfo() {
        JsonNode spec = compiled();
        assertThat(spec.path("schemaVersion").asText()).isEqualTo("2.1.0");
        assertThat(spec.path("sdkVersion").asText()).isEqualTo("mldev-0.1.0");
        assertThat(spec.path("pipelineInfo").path("name").asText()).isEqualTo("mldev-ocr");
    }

    @Test
    void theRootDagRunsOneTaskFedByThePipelinesParameters() {
        JsonNode root = compiled().path("root");
        assertThat(root.path("inputDefinitions")
                        .path("parameters")
                        .path("input_dir")
                        .path("parameterType")
                        .asText())
                .isEqualTo("STRING");
        assertThat(root.path("inputDefinitions")
                        .path("parameters")
                        .path("output_file")
                        .path("parameterType")
                        .asText())
                .isEqualTo("STRING");
        JsonNode task = root.path("dag").path("tasks").path("predict");
        assertThat(root.path("dag").path("tasks").size()).isEqualTo(1);
        assertThat(task.path("componentRef").path("name").asText()).isEqualTo("comp-predict");
        assertThat(task.path("inputs")
                        .path("parameters")
                        .path("input_dir")
                        .path("componentInputParameter")
                        .asText())
                .isEqualTo("input_dir");
        assertThat(task.path("inputs")
                        .path("parameters")
                        .path("output_file")
                        .path("componentInputParameter")
                        .asText())
                .isEqualTo("output_file");
        JsonNode component = compiled().path("components").path("comp-predict");
        assertThat(component.path("executorLabel").asText()).isEqualTo("exec-predict");
        assertThat(component.path("inputDefinitions").path("parameters").has("input_dir"))
                .isTrue();
    }

    @Test
    void theContainerRunsTheServingImageAsABatchPredictorOnTheGpu() {
        JsonNode container = compiled()
                .path("deploymentSpec")
                .path("executors")
                .path("exec-predict")
                .path("container");
        assertThat(container.path("image").asText()).isEqualTo(SPEC.image());
        assertThat(container.path("command").toString())
                .isEqualTo(
                        "[\"sh\",\"-c\",\"set -e; mkdir -p \\\"$(dirname \\\"$2\\\")\\\"; "
                                + "/usr/local/bin/mldev predict --local --device cuda --json --model \\\"$0\\\" \\\"$1\\\"/* > \\\"$2\\\"\"]");
        assertThat(container.path("args").toString())
                .isEqualTo("[\"/gcs/my-bucket/mldev/ocr/1-0-0\","
                        + "\"{{$.inputs.parameters['input_dir']}}\",\"{{$.inputs.parameters['output_file']}}\"]");
        JsonNode resources = container.path("resources");
        assertThat(resources.path("cpuLimit").asDouble()).isEqualTo(8.0);
        assertThat(resources.path("memoryLimit").asDouble()).isEqualTo(32.0);
        assertThat(resources.path("resourceCpuLimit").asText()).isEqualTo("8");
        assertThat(resources.path("resourceMemoryLimit").asText()).isEqualTo("32G");
        JsonNode accelerator = resources.path("accelerator");
        assertThat(accelerator.path("resourceType").asText()).isEqualTo("NVIDIA_L4");
        assertThat(accelerator.path("resourceCount").asText()).isEqualTo("1");
        assertThat(accelerator.path("type").asText()).isEqualTo("NVIDIA_L4");
        assertThat(accelerator.path("count").asText()).isEqualTo("1");
    }

    @Test
    void aCpuOnlySpecAsksForNoAccelerator() {
        PipelineSpec cpu = new PipelineSpec(
                "ocr", "my-project-1", "us-central1", "my-bucket", "n1-standard-4", Optional.empty(), 0, "img", 4, 15);
        JsonNode resources = PipelineSpecCompiler.compile(cpu, "gs://my-bucket/x/", "mldev")
                .path("deploymentSpec")
                .path("executors")
                .path("exec-predict")
                .path("container")
                .path("resources");
        assertThat(resources.has("accelerator")).isFalse();
        assertThat(resources.path("cpuLimit").asDouble()).isEqualTo(4.0);
    }

    @Test
    void machineSizesBecomeCpuAndMemoryLimits() {
        assertThat(PipelineSpec.size("g2-standard-8")).containsExactly(8, 32);
        assertThat(PipelineSpec.size("n1-standard-4")).containsExactly(4, 15);
        assertThat(PipelineSpec.size("a2-highgpu-1g")).containsExactly(12, 85);
        assertThat(PipelineSpec.size("a3-highgpu-8g")).containsExactly(208, 1872);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PipelineSpec.size("e2-micro"))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining("cannot tell the size");
    }

    @Test
    void matchesTheGoldenFile() throws IOException {
        String generated = compiled().toPrettyString() + "\n";
        if (Boolean.getBoolean("mldev.updateGolden")) {
            Files.writeString(Path.of("src/test/resources" + GOLDEN), generated);
        }
        try (InputStream in = getClass().getResourceAsStream(GOLDEN)) {
            assertThat(in).as("regenerate with -Dmldev.updateGolden=true").isNotNull();
            assertThat(new ObjectMapper().readTree(in)).isEqualTo(new ObjectMapper().readTree(generated));
        }
    }
}
