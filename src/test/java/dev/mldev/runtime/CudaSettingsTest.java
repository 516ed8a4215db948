package dev.mldev.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.bundle.Preprocess.Resize;
import dev.mldev.runtime.CudaSettings.ConvAlgoSearch;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which cuDNN convolution algorithm search a model gets, and the override through the environment. */
class CudaSettingsTest {
    @TempDir
    Path home;

    private Environment env(String value) {
        return new Environment(Map.of(CudaSettings.VARIABLE, value), home);
    }

    @Test
    void aFixedTensorShapeGetsTheExhaustiveSearchAWidthThatChangesTheHeuristic() {
        Resize imagenet = Resize.fixed(224, 224);
        Resize classifier = Resize.keepAspect(48, 192, true); // ppocr-cls: always padded to 192 wide
        Resize recognizer = Resize.keepAspect(48, 0, false); // ppocr-rec: as wide as the line
        Resize capped = Resize.keepAspect(48, 320, false); // at most 320 wide, but not padded
        assertThat(CudaSettings.fixedShape(imagenet)).isTrue();
        assertThat(CudaSettings.fixedShape(classifier)).isTrue();
        assertThat(CudaSettings.fixedShape(recognizer)).isFalse();
        assertThat(CudaSettings.fixedShape(capped)).isFalse();

        CudaSettings policy = CudaSettings.byPolicy();
        assertThat(policy.options(true)).containsExactly(Map.entry("cudnn_conv_algo_search", "EXHAUSTIVE"));
        assertThat(policy.options(false)).containsExactly(Map.entry("cudnn_conv_algo_search", "HEURISTIC"));
        assertThat(CudaSettings.from(new Environment(Map.of(), home)).convAlgoSearch(true))
                .isEqualTo(ConvAlgoSearch.EXHAUSTIVE);
        assertThat(CudaSettings.from(env("  ")).convAlgoSearch(false)).isEqualTo(ConvAlgoSearch.HEURISTIC);
    }

    @Test
    void theEnvironmentVariableOverridesThePolicyForEveryShape() {
        for (boolean fixed : new boolean[] {true, false}) {
            assertThat(CudaSettings.from(env("heuristic")).options(fixed))
                    .containsExactly(Map.entry("cudnn_conv_algo_search", "HEURISTIC"));
            assertThat(CudaSettings.from(env("EXHAUSTIVE")).options(fixed))
                    .containsExactly(Map.entry("cudnn_conv_algo_search", "EXHAUSTIVE"));
            assertThat(CudaSettings.from(env(" Default ")).options(fixed))
                    .containsExactly(Map.entry("cudnn_conv_algo_search", "DEFAULT"));
        }
    }

    @Test
    void aBadValueIsAUsageErrorNamingTheVariableAndTheChoices() {
        assertThatThrownBy(() -> CudaSettings.from(env("fastest"))).isInstanceOfSatisfying(MldevException.class, e -> {
            assertThat(e.kind()).isEqualTo(MldevException.Kind.USAGE);
            assertThat(e.getMessage())
                    .isEqualTo("MLDEV_CUDNN_CONV_ALGO_SEARCH='fastest' is not a cuDNN convolution algorithm search");
            assertThat(e.hint()).contains("exhaustive, heuristic or default").contains("unset it");
        });
        Consumer<String> ignore = message -> {};
        assertThatThrownBy(() -> new SessionFactory(env("on"), ignore, false))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining("MLDEV_CUDNN_CONV_ALGO_SEARCH='on'");
    }

    /** The options ONNX Runtime receives; building them unpacks but does not load the CUDA provider: no GPU needed. */
    @Test
    void theProviderOptionsCarryTheSearchForDeviceZero() throws Exception {
        try (OrtCUDAProviderOptions recognizer = CudaSettings.byPolicy().providerOptions(false);
                OrtCUDAProviderOptions overridden =
                        CudaSettings.from(env("default")).providerOptions(true)) {
            assertThat(recognizer.getOptionsString()).isEqualTo("device_id=0;cudnn_conv_algo_search=HEURISTIC;");
            assertThat(overridden.getOptionsString()).isEqualTo("device_id=0;cudnn_conv_algo_search=DEFAULT;");
        }
    }
}
