package dev.mldev.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.aiplatform.v1beta1.AcceleratorType;
import com.google.cloud.aiplatform.v1beta1.DedicatedResources;
import com.google.cloud.aiplatform.v1beta1.DeployedModel;
import com.google.cloud.aiplatform.v1beta1.Endpoint;
import com.google.cloud.aiplatform.v1beta1.MachineSpec;
import dev.mldev.cloud.AdcCredentials;
import dev.mldev.fake.FakeGoogleCloud;
import dev.mldev.fake.FakeSts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archives as a CI job uses them, run in Maven's integration-test phase after package wrote them: the
 * cost archive installed with install.sh --from on a PATH that has Java and a shell's tools but no Maven, then the
 * installed mldev run as a process, against the fake Google Cloud with Workload Identity Federation.
 */
class InstalledCostArchiveIT {
    static final long COST_ARCHIVE_LIMIT = 60L * 1000 * 1000;
    static final List<String> TOOLS = List.of(
            "bash",
            "sh",
            "tar",
            "gzip",
            "mkdir",
            "cp",
            "rm",
            "mv",
            "ls",
            "cat",
            "sed",
            "awk",
            "paste",
            "sort",
            "head",
            "mktemp",
            "dirname",
            "basename",
            "uname",
            "chmod",
            "rmdir");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    static Path target = Path.of("target").toAbsolutePath();
    static String version;
    static Path prefix;
    static Path tools;

    record Run(int exitCode, String out, String err) {}

    @BeforeAll
    static void install() throws Exception {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(target.resolve("classes/dev/mldev/version.properties"))) {
            properties.load(in);
        }
        version = properties.getProperty("version");
        tools = Files.createDirectories(work.resolve("tools"));
        Files.createSymbolicLink(tools.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        for (String tool : TOOLS) {
            Files.createSymbolicLink(tools.resolve(tool), Path.of(which(tool)));
        }
        prefix = work.resolve("prefix");
        long start = System.nanoTime();
        Run installed = run(
                List.of(
                        "bash",
                        Path.of("install.sh").toAbsolutePath().toString(),
                        "--from",
                        costArchive().toString(),
                        "--prefix",
                        prefix.toString()),
                Map.of());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(installed.exitCode()).as(installed.toString()).isZero();
        System.err.println("installed " + costArchive().getFileName() + " in " + took.toMillis() + " ms");
    }

    /** JUnit would warn about each link out of its temporary directory. */
    @AfterAll
    static void removeToolLinks() throws IOException {
        try (var links = Files.list(tools)) {
            for (Path link : links.toList()) {
                Files.delete(link);
            }
        }
    }

    static Path costArchive() {
        return target.resolve("mldev-" + version + "-cost.tar.gz");
    }

    static Path linuxArchive() {
        return target.resolve("mldev-" + version + "-linux-x64.tar.gz");
    }

    static String which(String tool) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("sh", "-c", "command -v " + tool).start();
        String path = new String(process.getInputStream().readAllBytes()).trim();
        assertThat(process.waitFor()).as("%s is not installed", tool).isZero();
        return path;
    }

    static Run run(List<String> command, Map<String, String> variables) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().put("PATH", tools.toString());
        builder.environment().put("HOME", work.resolve("home").toString());
        builder.environment().put("NO_GCE_CHECK", "true");
        builder.environment().putAll(variables);
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        Process process =
                builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish in 120 s");
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    static Run mldev(Map<String, String> variables, String... args) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of(prefix.resolve("bin/mldev").toString()));
        command.addAll(List.of(args));
        return run(command, variables);
    }

    /** Each entry of a tar.gz with its size, and the entries of the jars inside it. */
    static Map<String, Long> entries(Path archive, boolean openJars) throws IOException {
        Map<String, Long> entries = new HashMap<>();
        try (TarArchiveInputStream tar =
                new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(archive), 1 << 16))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                String name = entry.getName().substring(entry.getName().indexOf('/') + 1);
                entries.put(name, entry.getSize());
                if (openJars && name.endsWith(".jar")) {
                    ZipInputStream jar = new ZipInputStream(tar);
                    for (ZipEntry inner = jar.getNextEntry(); inner != null; inner = jar.getNextEntry()) {
                        entries.put(name + "!" + inner.getName(), inner.getSize());
                    }
                }
            }
        }
        return entries;
    }

    @Test
    void theCostArchiveIsSmallAndHasNoOnnxRuntime() throws IOException {
        assertThat(Files.size(costArchive())).isLessThanOrEqualTo(COST_ARCHIVE_LIMIT);
        Map<String, Long> entries = entries(costArchive(), false);
        assertThat(entries)
                .containsKeys(
                        "bin/mldev",
                        "install.sh",
                        "LICENSE",
                        "README.md",
                        "completions/mldev.bash",
                        "lib/mldev-" + version + ".jar");
        assertThat(entries.keySet()).noneMatch(name -> name.contains("onnxruntime") || name.startsWith("native/"));
    }

    @Test
    void theLinuxArchiveCarriesItsNativesOnceUnpacked() throws IOException {
        Map<String, Long> entries = entries(linuxArchive(), true);
        assertThat(entries)
                .containsKeys(
                        "native/libonnxruntime.so",
                        "native/libonnxruntime4j_jni.so",
                        "bin/mldev",
                        "install.sh",
                        "LICENSE",
                        "README.md");
        assertThat(entries.keySet())
                .anyMatch(name ->
                        name.startsWith("lib/onnxruntime") && name.endsWith("!ai/onnxruntime/OrtSession.class"));
        assertThat(entries.keySet()).noneMatch(name -> name.contains("!ai/onnxruntime/native/"));
        assertThat(entries.keySet())
                .filteredOn(name -> name.startsWith("native/"))
                .allMatch(name -> name.endsWith(".so"));
    }

    @Test
    void sha256sumsListsBothArchives() throws Exception {
        List<String> lines = Files.readAllLines(target.resolve("SHA256SUMS"));
        assertThat(lines)
                .containsExactlyInAnyOrder(
                        sha256(linuxArchive()) + "  " + linuxArchive().getFileName(),
                        sha256(costArchive()) + "  " + costArchive().getFileName());
    }

    static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Test
    void theInstalledMldevRunsWithoutMaven() throws Exception {
        assertThat(run(List.of("sh", "-c", "command -v mvn"), Map.of()).exitCode())
                .isNotZero();
        assertThat(Files.exists(prefix.resolve("lib/mldev/mldev.jsa")))
                .as("the AppCDS archive made at install")
                .isTrue();

        Run versionRun = mldev(Map.of(), "--version");
        assertThat(versionRun.out()).as(versionRun.toString()).isEqualTo("mldev " + version + "\n");

        Run status = mldev(Map.of(), "status", "--json", "--max-idle-cost", "0");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        JsonNode json = JSON.readTree(status.out());
        assertThat(json.path("schema").asInt()).isEqualTo(1);
        assertThat(json.path("deployments")).isEmpty();
    }

    @Test
    void statusGatesAnIdleEndpointWithFederatedCredentials() throws Exception {
        try (FakeGoogleCloud cloud = new FakeGoogleCloud();
                FakeSts sts = new FakeSts(cloud.auth())) {
            sts.trust("eyJ.ci-job.sig");
            Path subjectToken = Files.writeString(work.resolve("oidc-token"), "eyJ.ci-job.sig");
            JsonNode adc = JSON.createObjectNode()
                    .put("type", "external_account")
                    .put("audience", FakeSts.AUDIENCE)
                    .put("subject_token_type", "urn:ietf:params:oauth:token-type:jwt")
                    .put("token_url", sts.tokenUrl())
                    .set("credential_source", JSON.createObjectNode().put("file", subjectToken.toString()));
            Path adcFile = Files.writeString(work.resolve("wif.json"), adc.toString());
            String location = "projects/" + FakeGoogleCloud.PROJECT + "/locations/" + FakeGoogleCloud.REGION;
            cloud.vertex()
                    .putEndpoint(
                            Endpoint.newBuilder()
                                    .setName(location + "/endpoints/101")
                                    .setDisplayName("always-on")
                                    .addDeployedModels(DeployedModel.newBuilder()
                                            .setId("11")
                                            .setDedicatedResources(DedicatedResources.newBuilder()
                                                    .setMachineSpec(MachineSpec.newBuilder()
                                                            .setMachineType("g2-standard-8")
                                                            .setAcceleratorType(AcceleratorType.NVIDIA_L4)
                                                            .setAcceleratorCount(1))
                                                    .setMinReplicaCount(1)
                                                    .setMaxReplicaCount(1)))
                                    .build(),
                            1);
            Map<String, String> env = new HashMap<>(cloud.baseEnvironment());
            env.put(AdcCredentials.CREDENTIALS_VARIABLE, adcFile.toString());

            Run gate = mldev(
                    env,
                    "status",
                    "--json",
                    "--max-idle-cost",
                    "0",
                    "--project",
                    FakeGoogleCloud.PROJECT,
                    "--region",
                    FakeGoogleCloud.REGION);

            assertThat(gate.exitCode()).as(gate.toString()).isEqualTo(3);
            assertThat(gate.err())
                    .as(gate.toString())
                    .contains("exceeds --max-idle-cost $0/h")
                    .contains("always-on");
            JsonNode json = JSON.readTree(gate.out());
            assertThat(json.path("deployments").findValuesAsText("name")).contains("always-on");
        }
    }

    @Test
    void aCommandThatNeedsOnnxRuntimeNamesTheArchiveThatHasIt() throws Exception {
        Run doctor = mldev(Map.of(), "doctor");
        assertThat(doctor.exitCode()).as(doctor.toString()).isEqualTo(2);
        assertThat(doctor.err())
                .as(doctor.toString())
                .contains("mldev-" + version + "-linux-x64.tar.gz")
                .doesNotContain("\tat ");
    }
}
