package dev.mldev.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.bundle.Preprocess;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CUDA execution provider options mldev sets, and why. Only one differs from ONNX Runtime's defaults:
 * {@code cudnn_conv_algo_search}. {@code EXHAUSTIVE} (ONNX Runtime's default) benchmarks every cuDNN
 * convolution algorithm for each new input shape and keeps the fastest: right when the tensor shape never
 * changes (a fixed resize, or keep-aspect padded to its maximum width), wrong for a keep-aspect model whose
 * width changes with every image (the PP-OCR recognizer), where the search would run again for nearly every
 * line. There {@code HEURISTIC} asks cuDNN for its best guess instead. {@code MLDEV_CUDNN_CONV_ALGO_SEARCH}
 * overrides the choice.
 *
 * <p>Left at ONNX Runtime's defaults on purpose: {@code cudnn_conv_use_max_workspace} (already on, the search
 * may use as much memory as it finds useful), {@code do_copy_in_default_stream} (already on), and
 * {@code enable_cuda_graph} (a captured graph needs inputs and outputs at fixed device addresses, that is IO
 * binding, which the Java API does not have).
 */
public final class CudaSettings {
    /** The environment variable that overrides the search: exhaustive, heuristic or default. */
    public static final String VARIABLE = "MLDEV_CUDNN_CONV_ALGO_SEARCH";

    static final String CONV_ALGO_SEARCH = "cudnn_conv_algo_search";
    private static final int DEVICE_ID = 0;

    /** cuDNN's ways of choosing a convolution algorithm, named as ONNX Runtime's option values. */
    public enum ConvAlgoSearch {
        /** Benchmark every algorithm once per input shape, keep the fastest. */
        EXHAUSTIVE,
        /** cuDNN's heuristic ranking, no benchmarking. */
        HEURISTIC,
        /** Always implicit precomputed GEMM. */
        DEFAULT
    }

    private final ConvAlgoSearch override;

    private CudaSettings(ConvAlgoSearch override) {
        this.override = override;
    }

    /** The settings with mldev's policy and no override. */
    public static CudaSettings byPolicy() {
        return new CudaSettings(null);
    }

    /** The settings with {@value #VARIABLE} applied; a value that is not a search is a usage error. */
    public static CudaSettings from(Environment env) {
        return parse(env.get(VARIABLE));
    }

    static CudaSettings parse(Optional<String> value) {
        if (value.isEmpty()) {
            return byPolicy();
        }
        String text = value.get().trim();
        for (ConvAlgoSearch search : ConvAlgoSearch.values()) {
            if (search.name().equalsIgnoreCase(text)) {
                return new CudaSettings(search);
            }
        }
        throw MldevException.usage(
                VARIABLE + "='" + text + "' is not a cuDNN convolution algorithm search",
                "set it to exhaustive, heuristic or default, or unset it to let mldev choose by the input size");
    }

    /** Whether every input tensor of this resize has the same height and width (batch size aside). */
    public static boolean fixedShape(Preprocess.Resize resize) {
        return resize.isFixed() || (resize.padRight() && resize.maxWidth() > 0);
    }

    /** The search for a model whose input shape is fixed, or changes from image to image (or is unknown). */
    public ConvAlgoSearch convAlgoSearch(boolean fixedShape) {
        if (override != null) {
            return override;
        }
        return fixedShape ? ConvAlgoSearch.EXHAUSTIVE : ConvAlgoSearch.HEURISTIC;
    }

    /** The options mldev sets, as ONNX Runtime names them (device_id aside). */
    public Map<String, String> options(boolean fixedShape) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put(CONV_ALGO_SEARCH, convAlgoSearch(fixedShape).name());
        return options;
    }

    /** The provider options for {@code SessionOptions.addCUDA}; the caller closes them after adding. */
    public OrtCUDAProviderOptions providerOptions(boolean fixedShape) throws OrtException {
        OrtCUDAProviderOptions provider = new OrtCUDAProviderOptions(DEVICE_ID);
        try {
            for (Map.Entry<String, String> option : options(fixedShape).entrySet()) {
                provider.add(option.getKey(), option.getValue());
            }
            return provider;
        } catch (OrtException | RuntimeException e) {
            provider.close();
            throw e;
        }
    }
}
