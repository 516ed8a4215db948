package dev.mldev.deploy.vertex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.MldevException;
import dev.mldev.bundle.Manifest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Everything deploy checks before calling Google Cloud: each refusal exits 2 with the fix. */
class VertexSpecTest {
    @TempDir
    static Path dir;

    static Manifest manifest;

    @BeforeAll
    static void bundle() {
        manifest = TestBundle.write(dir.resolve("b"), "demo", "1.0.0", new byte[] {1, 2, 3})
                .manifest();
    }

    static VertexSpec.Flags flags(
            String machine, String gpu, Integer count, Integer min, Integer max, String idle, String scaleup) {
        return new VertexSpec.Flags(
                null,
                "my-project-1",
                "us-central1",
                "my-bucket",
                machine,
                gpu,
                count,
                min,
                max,
                idle,
                scaleup,
                null,
                null);
    }

    static MldevException refusal(VertexSpec.Flags flags) {
        try {
            VertexSpec.check(flags, manifest);
        } catch (MldevException e) {
            assertThat(e.kind()).isEqualTo(MldevException.Kind.USAGE);
            assertThat(e.hint()).isNotBlank();
            return e;
        }
        throw new AssertionError("accepted " + flags);
    }

    @Test
    void defaultsComeFromTheBundle() {
        VertexSpec spec = VertexSpec.check(flags(null, null, null, null, null, null, null), manifest);
        assertThat(spec.name()).isEqualTo("demo");
        assertThat(spec.machineType()).isEqualTo("g2-standard-4");
        assertThat(spec.gpu()).contains(Accelerator.L4);
        assertThat(spec.gpuCount()).isEqualTo(1);
        assertThat(spec.minReplicas()).isZero();
        assertThat(spec.maxReplicas()).isEqualTo(1);
        assertThat(spec.idleTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(spec.minScaleup()).isEqualTo(Duration.ofHours(1));
        assertThat(spec.image()).isEqualTo(TestBundle.IMAGE);
    }

    @ParameterizedTest
    @CsvSource({
        "g2-standard-4,nvidia-l4,1",
        "g2-standard-24,nvidia-l4,2",
        "a2-highgpu-1g,nvidia-tesla-a100,1",
        "a2-ultragpu-2g,nvidia-a100-80gb,2",
        "a3-highgpu-8g,nvidia-h100-80gb,8",
        "n1-standard-8,nvidia-tesla-t4,1",
        "n1-standard-8,nvidia-tesla-v100,2",
        "n1-highmem-4,nvidia-tesla-p100,1",
        "n1-standard-4,nvidia-tesla-p4,4",
        "n1-standard-4,NVIDIA_TESLA_T4,1",
        "n1-standard-4,none,1"
    })
    void acceptsEveryValidMachineAndGpuPair(String machine, String gpu, int count) {
        VertexSpec spec = VertexSpec.check(flags(machine, gpu, count, null, null, null, null), manifest);
        assertThat(spec.machineType()).isEqualTo(machine);
    }

    @ParameterizedTest
    @CsvSource({
        "n1-standard-4,nvidia-l4,g2-standard-*",
        "g2-standard-4,nvidia-tesla-t4,n1-*",
        "a2-highgpu-1g,nvidia-a100-80gb,a2-ultragpu-*",
        "a2-ultragpu-1g,nvidia-tesla-a100,a2-highgpu-*",
        "g2-standard-4,nvidia-h100-80gb,a3-highgpu-*"
    })
    void aBadPairNamesTheMachineFamilyThatTakesTheGpu(String machine, String gpu, String family) {
        assertThat(refusal(flags(machine, gpu, null, null, null, null, null)).getMessage())
                .isEqualTo(gpu + " attaches only to " + family + " machines, not " + machine);
    }

    @Test
    void gpuCountsMustFitTheMachine() {
        assertThat(refusal(flags("a3-highgpu-8g", "nvidia-h100-80gb", 1, null, null, null, null))
                        .getMessage())
                .isEqualTo("a3-highgpu-8g comes with 8 nvidia-h100-80gb, not 1");
        assertThat(refusal(flags("n1-standard-4", "nvidia-tesla-t4", 3, null, null, null, null))
                        .getMessage())
                .contains("3 x nvidia-tesla-t4");
        assertThat(refusal(flags("g2-standard-4", "none", null, null, null, null, null))
                        .getMessage())
                .contains("comes with nvidia-l4 GPUs");
        assertThat(refusal(flags(null, "nvidia-k80", null, null, null, null, null))
                        .hint())
                .contains("nvidia-l4", "nvidia-tesla-t4");
    }

    @ParameterizedTest
    @CsvSource({"4m,out of range", "8h1m,out of range", "1x,is not a duration", "'',is not a duration"})
    void scaleToZeroPeriodsAreFiveMinutesToEightHours(String value, String problem) {
        assertThat(refusal(flags(null, null, null, null, null, value, null)).getMessage())
                .contains("--idle-timeout")
                .contains(problem);
        assertThat(refusal(flags(null, null, null, null, null, null, value)).getMessage())
                .contains("--min-scaleup")
                .contains(problem);
    }

    @Test
    void theLimitsThemselvesAreAccepted() {
        VertexSpec spec = VertexSpec.check(flags(null, null, null, null, null, "5m", "8h"), manifest);
        assertThat(spec.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(spec.minScaleup()).isEqualTo(Duration.ofHours(8));
        assertThat(VertexSpec.check(flags(null, null, null, null, null, "1h30m", "300s"), manifest)
                        .idleTimeout())
                .isEqualTo(Duration.ofMinutes(90));
    }

    @Test
    void replicaCountsAreChecked() {
        assertThat(refusal(flags(null, null, null, 1, null, "15m", null)).getMessage())
                .contains("only to scale-to-zero");
        assertThat(refusal(flags(null, null, null, 2, 1, null, null)).getMessage())
                .contains("--max-replicas 1 is below 2");
        assertThat(refusal(flags(null, null, null, -1, null, null, null)).getMessage())
                .contains("negative");
        VertexSpec alwaysOn = VertexSpec.check(flags(null, null, null, 1, 3, null, null), manifest);
        assertThat(alwaysOn.scalesToZero()).isFalse();
        assertThat(alwaysOn.idleTimeout()).isNull();
    }

    @Test
    void whereAndWhatAreChecked() {
        assertThat(refusal(new VertexSpec.Flags(
                                null, null, "us-central1", "b-1", null, null, null, null, null, null, null, null, null))
                        .hint())
                .contains("--project", "MLDEV_PROJECT");
        assertThat(refusal(new VertexSpec.Flags(
                                null,
                                "My Project",
                                "us-central1",
                                "b-1",
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null))
                        .getMessage())
                .contains("not a Google Cloud project id");
        assertThat(refusal(new VertexSpec.Flags(
                                null,
                                "my-project-1",
                                "central",
                                "b-1",
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null))
                        .getMessage())
                .contains("not a Google Cloud region");
        assertThat(refusal(new VertexSpec.Flags(
                                null,
                                "my-project-1",
                                "us-central1",
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null))
                        .hint())
                .contains("--bucket");
        assertThat(refusal(new VertexSpec.Flags(
                                "Bad_Name",
                                "my-project-1",
                                "us-central1",
                                "b-1",
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null))
                        .getMessage())
                .contains("cannot name");
    }

    @Test
    void aServingImageIsRequired() {
        Manifest noImage = manifest.withServing(manifest.serving().withImage(null));
        MldevException e = org.junit.jupiter.api.Assertions.assertThrows(
                MldevException.class, () -> VertexSpec.check(flags(null, null, null, null, null, null, null), noImage));
        assertThat(e.getMessage()).contains("no serving image");
        assertThat(e.hint()).contains("--image", "mldev image push");
    }

    @Test
    void theDryRunPlanShowsEachCallWithItsResources() {
        var bundle = TestBundle.write(dir.resolve("plan"), "demo", "1.0.0", new byte[] {1, 2, 3});
        String plan = DeployPlan.of(
                        bundle, VertexSpec.check(flags(null, null, null, null, 2, "15m", null), bundle.manifest()))
                .render();
        assertThat(plan)
                .contains("dry run: nothing is called")
                .contains("1. storage upload gs://my-bucket/mldev/demo/1-0-0/ (3 files")
                .contains("2. ModelService.UploadModel projects/my-project-1/locations/us-central1")
                .contains("\"imageUri\": \"" + TestBundle.IMAGE + "\"")
                .contains("3. EndpointService.CreateEndpoint")
                .contains("\"dedicatedEndpointEnabled\": true")
                .contains("4. EndpointService.DeployModel")
                .contains("\"acceleratorType\": \"NVIDIA_L4\"")
                .contains("\"maxReplicaCount\": 2")
                .contains("\"idleScaledownPeriod\": \"900s\"")
                .contains("5. EndpointService.UndeployModel");
    }

    @Test
    void aServiceAccountIsCheckedAndGoesIntoTheDeployedModelAndTheKey() {
        String account = "mldev-runner@my-project-1.iam.gserviceaccount.com";
        VertexSpec.Flags plain = flags(null, null, null, null, null, null, null);
        VertexSpec.Flags given = new VertexSpec.Flags(
                null,
                "my-project-1",
                "us-central1",
                "my-bucket",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                account);
        VertexSpec spec = VertexSpec.check(given, manifest);

        assertThat(spec.serviceAccount()).isEqualTo(account);
        assertThat(VertexSpec.check(plain, manifest).serviceAccount()).isNull();
        assertThat(VertexResources.deployedModel(spec, "m", "1").getServiceAccount())
                .isEqualTo(account);
        assertThat(DeployPlan.json(VertexResources.deployedModel(spec, "m", "1")))
                .contains("\"serviceAccount\": \"" + account + "\"");
        assertThat(refusal(new VertexSpec.Flags(
                                null,
                                "my-project-1",
                                "us-central1",
                                "my-bucket",
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                "mldev-runner"))
                        .getMessage())
                .isEqualTo("--service-account 'mldev-runner' is not a service account's email");
    }
}
