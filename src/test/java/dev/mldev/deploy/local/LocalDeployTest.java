package dev.mldev.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy, predict --target, status, undeploy on the local target, end to end through the CLI. */
class LocalDeployTest {
    @TempDir
    Path home;

    @AfterEach
    void cleanUp() {
        CliRun.run(home, "undeploy", "ocr-cls", "--yes");
    }

    @Test
    void deployPredictStatusUndeploy() throws Exception {
        Path cls = home.resolve("cls");
        assertThat(CliRun.run(
                                home,
                                "package",
                                TestModels.file(TestModels.CLS).toString(),
                                "--preset",
                                "ppocr-cls",
                                "--name",
                                "ocr-cls",
                                "--out",
                                cls.toString())
                        .exitCode)
                .isZero();

        CliRun deploy = CliRun.run(home, "deploy", cls.toString(), "--idle-unload", "10m");
        assertThat(deploy.exitCode).as(deploy.toString()).isZero();
        assertThat(deploy.out).startsWith("ocr-cls  http://127.0.0.1:");

        CliRun again = CliRun.run(home, "deploy", cls.toString());
        assertThat(again.exitCode).as(again.toString()).isZero();
        assertThat(again.out).isEqualTo(deploy.out); // same bundle: nothing changes

        Path up = TextImages.write(TextImages.line("upright text"), home.resolve("up.png"));
        Path flip = TextImages.write(TextImages.rotated180(TextImages.line("upright text")), home.resolve("flip.png"));
        CliRun predict = CliRun.run(home, "predict", up.toString(), flip.toString());
        assertThat(predict.exitCode).as(predict.toString()).isZero();
        assertThat(predict.out.lines().toList())
                .satisfiesExactly(
                        l -> assertThat(l).startsWith(up + "  0  "),
                        l -> assertThat(l).startsWith(flip + "  180  "));

        JsonNode status = new ObjectMapper().readTree(CliRun.run(home, "status", "--json").out);
        JsonNode entry = status.get("deployments").get(0);
        assertThat(entry.get("name").asText()).isEqualTo("ocr-cls");
        assertThat(entry.get("target").asText()).isEqualTo("local");
        assertThat(entry.get("state").asText()).isEqualTo("warm");
        assertThat(entry.get("requests_served").asLong()).isEqualTo(2); // a streamed predict sends one image a request

        CliRun noConfirmation = CliRun.run(home, "undeploy", "ocr-cls");
        assertThat(noConfirmation.exitCode).isEqualTo(2);
        assertThat(noConfirmation.err).contains("--yes");

        CliRun undeploy = CliRun.run(home, "undeploy", "ocr-cls", "--yes");
        assertThat(undeploy.exitCode).as(undeploy.toString()).isZero();
        assertThat(CliRun.run(home, "status").out.lines()).hasSize(2); // the header and the totals
    }

    @Test
    void aKilledServerIsShownAsDown() throws Exception {
        Path cls = home.resolve("cls");
        assertThat(CliRun.run(
                                home,
                                "package",
                                TestModels.file(TestModels.CLS).toString(),
                                "--preset",
                                "ppocr-cls",
                                "--name",
                                "ocr-cls",
                                "--out",
                                cls.toString())
                        .exitCode)
                .isZero();
        assertThat(CliRun.run(home, "deploy", cls.toString()).exitCode).isZero();
        JsonNode record = new ObjectMapper()
                .readTree(home.resolve("state/mldev/deployments/ocr-cls.json").toFile());
        ProcessHandle server =
                ProcessHandle.of(record.get("details").get("pid").asLong()).orElseThrow();
        server.destroyForcibly();
        server.onExit().get();

        CliRun status = CliRun.run(home, "status");
        assertThat(status.out).contains("ocr-cls\tlocal\tdown");
        CliRun predict = CliRun.run(
                home,
                "predict",
                TextImages.write(TextImages.line("x"), home.resolve("x.png")).toString());
        assertThat(predict.exitCode).isEqualTo(1);
        assertThat(predict.err).contains("cannot reach").contains("mldev status");
    }
}
