package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.Environment;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.LocalModel;
import dev.mldev.runtime.Opening;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model a predict will need, opened from the raw arguments: taken only for the same bundle and device. */
class EarlyModelTest {
    @TempDir
    static Path home;

    static Path bundle;
    static Environment env;

    @BeforeAll
    static void packageClassifier() {
        CliRun r = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.CLS).toString(),
                "--preset",
                "ppocr-cls",
                "--out",
                home.resolve("cls").toString());
        assertThat(r.exitCode).as(r.toString()).isZero();
        bundle = home.resolve("cls");
        env = new Environment(Map.of("XDG_CACHE_HOME", home.resolve("cache").toString()), home);
    }

    @AfterEach
    void discardWhatWasNotTaken() {
        EarlyModel.discard();
    }

    @Test
    void theSameBundleAndDeviceTakeTheOpenedModel() throws Exception {
        EarlyModel.start(
                new RawArgs(new String[] {"predict", "a.png", "--model", bundle.toString(), "--device", "cpu"}), env);
        List<String> notices = new ArrayList<>();
        Optional<Opening<LocalModel>> taken = EarlyModel.take(bundle, Device.CPU, notices::add);
        assertThat(taken).isPresent();
        try (LocalModel model = taken.get().take()) {
            assertThat(model.bundle().dir()).isEqualTo(bundle);
            assertThat(model.session().inputs())
                    .singleElement()
                    .extracting(i -> i.name())
                    .isEqualTo("x");
        }
        assertThat(EarlyModel.take(bundle, Device.CPU, notices::add))
                .as("taken once")
                .isEmpty();
    }

    @Test
    void anotherDeviceOrBundleOpensItsOwn() {
        EarlyModel.start(new RawArgs(new String[] {"predict", "--device=cpu", "--model=" + bundle, "a.png"}), env);
        assertThat(EarlyModel.take(bundle, Device.AUTO, m -> {})).isEmpty();
        assertThat(EarlyModel.take(home.resolve("other"), Device.CPU, m -> {})).isEmpty();
        EarlyModel.discard();
        assertThat(EarlyModel.take(bundle, Device.CPU, m -> {})).as("discarded").isEmpty();
    }

    @Test
    void withoutTheFlagTheDeviceComesFromMldevDevice() {
        Environment cpu = new Environment(
                Map.of("XDG_CACHE_HOME", home.resolve("cache").toString(), "MLDEV_DEVICE", "cpu"), home);
        EarlyModel.start(new RawArgs(new String[] {"predict", "a.png", "--model", bundle.toString()}), cpu);
        assertThat(EarlyModel.take(bundle, Device.CPU, m -> {}))
                .isPresent()
                .get()
                .satisfies(opening -> opening.take().close());
    }

    @Test
    void nothingOpensForADeploymentAnotherCommandOrHelp() {
        for (String[] args : List.of(
                new String[] {"predict", "a.png", "--model", bundle.toString(), "--target", "ocr", "--device", "cpu"},
                new String[] {"serve", "--model", bundle.toString(), "--device", "cpu"},
                new String[] {"predict", "--help", "--model", bundle.toString(), "--device", "cpu"})) {
            EarlyModel.start(new RawArgs(args), env);
            assertThat(EarlyModel.take(bundle, Device.CPU, m -> {}))
                    .as(String.join(" ", args))
                    .isEmpty();
        }
    }
}
