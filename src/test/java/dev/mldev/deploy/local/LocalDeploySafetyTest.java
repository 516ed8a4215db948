package dev.mldev.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mldev.Environment;
import dev.mldev.TargetKind;
import dev.mldev.bundle.Bundle;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.DeploymentStore;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.SessionFactory;
import dev.mldev.serve.PredictServer;
import dev.mldev.serve.ServeOptions;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local target against careless and hostile use: busy ports, races, broken records, reused pids, bad names. */
class LocalDeploySafetyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    Path cls;
    Path deployments;

    @BeforeEach
    void packageModel() {
        cls = home.resolve("cls");
        CliRun pack = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.CLS).toString(),
                "--preset",
                "ppocr-cls",
                "--name",
                "ocr-cls",
                "--out",
                cls.toString());
        assertThat(pack.exitCode).as(pack.toString()).isZero();
        deployments = home.resolve("state/mldev/deployments");
    }

    @AfterEach
    void stopEverythingStarted() {
        for (ProcessHandle server : serversOf(cls)) {
            server.destroyForcibly();
        }
    }

    @Test
    void aPortAnotherServerListensOnIsRefused() throws Exception {
        try (PredictServer other = otherModelServer(0)) {
            CliRun deploy = CliRun.run(home, "deploy", cls.toString(), "--port", Integer.toString(other.port()));
            assertThat(deploy.exitCode).as(deploy.toString()).isEqualTo(1);
            assertThat(deploy.err).contains("port " + other.port()).contains("in use");
            assertThat(CliRun.run(home, "status").out).doesNotContain("ocr-cls"); // nothing recorded
            assertThat(serversOf(cls)).isEmpty();

            // a record edited to point at the other server's port: that server's health is not this deployment's
            assertThat(CliRun.run(home, "deploy", cls.toString()).exitCode).isZero();
            DeploymentRecord record = store().find("ocr-cls").orElseThrow();
            store().save(new DeploymentRecord(
                    record.name(),
                    record.target(),
                    record.bundle(),
                    record.version(),
                    "http://127.0.0.1:" + other.port(),
                    record.createdAt(),
                    record.details()));
            assertThat(CliRun.run(home, "status").out).contains("ocr-cls\tlocal\tdown");
        }
    }

    @Test
    void anotherServerOnADeadDeploymentsPortDoesNotAnswerForIt() throws Exception {
        assertThat(CliRun.run(home, "deploy", cls.toString()).exitCode).isZero();
        DeploymentRecord record = store().find("ocr-cls").orElseThrow();
        kill(Long.parseLong(record.detail("pid")));

        try (PredictServer other = otherModelServer(Integer.parseInt(record.detail("port")))) {
            CliRun predict = CliRun.run(
                    home,
                    "predict",
                    TextImages.write(TextImages.line("x"), home.resolve("x.png"))
                            .toString());
            assertThat(predict.exitCode).as(predict.toString()).isEqualTo(1);
            assertThat(predict.err)
                    .contains("cannot reach ocr-cls")
                    .contains("not running")
                    .contains("serve.log");
            assertThat(CliRun.run(home, "status").out).contains("ocr-cls\tlocal\tdown");
        }
    }

    @Test
    void twoDeploysAtOnceStartOneServer() throws Exception {
        CompletableFuture<CliRun> first =
                CompletableFuture.supplyAsync(() -> CliRun.run(home, "deploy", cls.toString()));
        CompletableFuture<CliRun> second =
                CompletableFuture.supplyAsync(() -> CliRun.run(home, "deploy", cls.toString()));
        CliRun a = first.get();
        CliRun b = second.get();
        assertThat(a.exitCode).as(a.toString()).isZero();
        assertThat(b.exitCode).as(b.toString()).isZero();
        assertThat(a.out).isEqualTo(b.out);
        assertThat(serversOf(cls)).hasSize(1);

        assertThat(CliRun.run(home, "undeploy", "ocr-cls", "--yes").exitCode).isZero();
        awaitNoServers();
    }

    @Test
    void anUnreadableRecordIsSkippedAndCanStillBeUndeployed() throws Exception {
        assertThat(CliRun.run(home, "deploy", cls.toString(), "--name", "broken").exitCode)
                .isZero();
        assertThat(CliRun.run(home, "deploy", cls.toString(), "--name", "fine").exitCode)
                .isZero();
        ProcessHandle brokenServer = ProcessHandle.of(
                        Long.parseLong(store().find("broken").orElseThrow().detail("pid")))
                .orElseThrow();
        Path record = deployments.resolve("broken.json");
        Files.writeString(record, Files.readString(record).substring(0, 40)); // truncated, as by a full disk

        CliRun status = CliRun.run(home, "status");
        assertThat(status.exitCode).as(status.toString()).isZero();
        assertThat(status.out).contains("fine\tlocal").doesNotContain("broken");
        assertThat(status.err)
                .contains("skipped: the record of deployment 'broken'")
                .contains("unreadable")
                .contains("mldev undeploy broken --yes");

        Path image = TextImages.write(TextImages.line("upright text"), home.resolve("up.png"));
        CliRun predictFine = CliRun.run(home, "predict", image.toString(), "--target", "fine");
        assertThat(predictFine.exitCode).as(predictFine.toString()).isZero();
        CliRun predictMostRecent = CliRun.run(home, "predict", image.toString());
        assertThat(predictMostRecent.exitCode).as(predictMostRecent.toString()).isZero();
        CliRun predictBroken = CliRun.run(home, "predict", image.toString(), "--target", "broken");
        assertThat(predictBroken.exitCode).isEqualTo(1);
        assertThat(predictBroken.err).contains("unreadable").contains("mldev undeploy broken --yes");
        CliRun redeploy = CliRun.run(home, "deploy", cls.toString(), "--name", "broken");
        assertThat(redeploy.exitCode).isEqualTo(1);
        assertThat(redeploy.err).contains("mldev undeploy broken --yes");

        CliRun undeploy = CliRun.run(home, "undeploy", "broken", "--yes");
        assertThat(undeploy.exitCode).as(undeploy.toString()).isZero();
        assertThat(undeploy.out).contains("undeployed broken (stopped 1 local server)");
        brokenServer.onExit().get();
        assertThat(record).doesNotExist();

        // a pid edited away: the server is still found by its marker
        DeploymentRecord fine = store().find("fine").orElseThrow();
        store().save(new DeploymentRecord(
                fine.name(),
                fine.target(),
                fine.bundle(),
                fine.version(),
                fine.url(),
                fine.createdAt(),
                Map.of("pid", "none", "port", fine.detail("port"))));
        assertThat(CliRun.run(home, "status").out).contains("fine\tlocal\tdown");
        assertThat(CliRun.run(home, "undeploy", "fine", "--yes").exitCode).isZero();
        awaitNoServers();
    }

    @Test
    void aReusedPidIsNotKilled() throws Exception {
        // a process that happens to have the recorded pid now, with a command line like a server's
        Process stranger = new ProcessBuilder("bash", "-c", "sleep 60; true", "dev.mldev.cli.Cli", "serve").start();
        try {
            store().save(new DeploymentRecord(
                    "ocr-cls",
                    TargetKind.LOCAL,
                    cls.toString(),
                    "1",
                    "http://127.0.0.1:9",
                    Instant.now(),
                    Map.of(
                            "pid",
                            Long.toString(stranger.pid()),
                            "port",
                            "9",
                            "started",
                            Instant.now().minusSeconds(3600).toString())));
            assertThat(CliRun.run(home, "status").out).contains("ocr-cls\tlocal\tdown");
            CliRun undeploy = CliRun.run(home, "undeploy", "ocr-cls", "--yes");
            assertThat(undeploy.exitCode).as(undeploy.toString()).isZero();
            Thread.sleep(300);
            assertThat(stranger.isAlive()).isTrue();
            assertThat(undeploy.err).contains("pid " + stranger.pid() + " is no longer the server of ocr-cls");
        } finally {
            stranger.destroyForcibly();
        }
    }

    @Test
    void namesThatLeaveTheStateDirectoryAreRefused() {
        CliRun deploy = CliRun.run(home, "deploy", cls.toString(), "--name", "../../escape");
        assertThat(deploy.exitCode).isEqualTo(2);
        assertThat(deploy.err.lines()).first().asString().contains("'../../escape' cannot name a deployment");
        assertThat(home.resolve("state/escape.json")).doesNotExist();
        assertThat(home.resolve("state/escape.d")).doesNotExist();
        assertThat(serversOf(cls)).isEmpty();

        assertThat(CliRun.run(home, "deploy", cls.toString(), "--name", "My_Model").exitCode)
                .isEqualTo(2);
        CliRun undeploy = CliRun.run(home, "undeploy", "../../escape", "--yes");
        assertThat(undeploy.exitCode).isEqualTo(2);
        assertThat(undeploy.err).contains("cannot name a deployment");
    }

    @Test
    void aRedeployAfterACrashKeepsTheCrashedServersLog() throws Exception {
        assertThat(CliRun.run(home, "deploy", cls.toString()).exitCode).isZero();
        kill(Long.parseLong(store().find("ocr-cls").orElseThrow().detail("pid")));

        CliRun redeploy = CliRun.run(home, "deploy", cls.toString());
        assertThat(redeploy.exitCode).as(redeploy.toString()).isZero();
        Path previous = deployments.resolve("ocr-cls.d/serve.log.1");
        assertThat(previous).exists();
        assertThat(Files.readString(previous)).contains("serving " + cls);
        assertThat(redeploy.err).contains("the previous server's log is now " + previous);
        assertThat(Files.readString(deployments.resolve("ocr-cls.d/serve.log"))).contains("serving " + cls);
        assertThat(CliRun.run(home, "undeploy", "ocr-cls", "--yes").exitCode).isZero();
    }

    @Test
    void theBackgroundServerGetsMldevJavaOpts() {
        CliRun deploy = CliRun.run(
                home, Map.of("MLDEV_JAVA_OPTS", " -Dmldev.test.option=yes  -Xss2m "), "deploy", cls.toString());
        assertThat(deploy.exitCode).as(deploy.toString()).isZero();
        long pid = Long.parseLong(store().find("ocr-cls").orElseThrow().detail("pid"));
        assertThat(commandLine(pid)).contains("-Dmldev.test.option=yes", "-Xss2m");
        assertThat(CliRun.run(home, "undeploy", "ocr-cls", "--yes").exitCode).isZero();
    }

    private DeploymentStore store() {
        return new DeploymentStore(home.resolve("state/mldev"));
    }

    /** The real mldev serve of the recognizer: another model, answering on the port. */
    private PredictServer otherModelServer(int port) throws IOException {
        Path rec = home.resolve("rec");
        if (!Files.isDirectory(rec)) {
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
        }
        ServeOptions options = new ServeOptions(
                rec,
                "127.0.0.1",
                port,
                "/health",
                "/predict",
                Duration.ofMinutes(10),
                false,
                16,
                Duration.ofMillis(5),
                null,
                Device.CPU,
                ServeOptions.DEFAULT_MAX_BODY_BYTES);
        return PredictServer.start(
                options, Bundle.open(rec), new SessionFactory(new Environment(Map.of(), home), m -> {}, false));
    }

    private static void kill(long pid) throws Exception {
        ProcessHandle server = ProcessHandle.of(pid).orElseThrow();
        server.destroyForcibly();
        server.onExit().get();
    }

    /** Live processes serving this bundle, whoever started them. */
    private static List<ProcessHandle> serversOf(Path bundle) {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> commandLine(p.pid())
                            .containsAll(
                                    List.of("serve", bundle.toAbsolutePath().toString())))
                    .toList();
        }
    }

    private static List<String> commandLine(long pid) {
        try {
            return List.of(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"))
                    .split("\u0000"));
        } catch (IOException gone) {
            return List.of();
        }
    }

    private void awaitNoServers() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!serversOf(cls).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(serversOf(cls)).isEmpty();
    }
}
