package dev.mldev.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.mldev.Environment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** What {@code mldev doctor} finds: the Java runtime, ONNX Runtime and its providers, and whether CUDA initialises. */
public final class Doctor {
    private Doctor() {}

    /** The findings; {@link #toMap()} names them as {@code doctor --json} does, in the order shown. */
    public record Report(
            String java,
            String onnxruntime,
            List<String> providersCompiledIn,
            boolean cudaUsable,
            String cudaReason,
            String willRunOn,
            String nativeLibraryPath) {
        public Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("java", java);
            map.put("onnxruntime", onnxruntime);
            map.put("providers_compiled_in", providersCompiledIn);
            map.put("cuda_usable", cudaUsable);
            map.put("cuda_reason", cudaReason);
            map.put("will_run_on", willRunOn);
            map.put("native_library_path", nativeLibraryPath);
            return map;
        }
    }

    /** Loads ONNX Runtime and tries CUDA. @param notice one-line messages for stderr */
    public static Report report(Environment env, Consumer<String> notice, boolean verbose) {
        OrtEnvironment ort = SessionFactory.ortEnvironment(verbose);
        SessionFactory.CudaCheck cuda = new SessionFactory(env, notice, verbose).checkCuda();
        return new Report(
                System.getProperty("java.vm.name") + " " + Runtime.version(),
                ort.getVersion(),
                OrtEnvironment.getAvailableProviders().stream()
                        .map(OrtProvider::getName)
                        .toList(),
                cuda.usable(),
                cuda.usable() ? "CUDA initialises" : cuda.reason(),
                cuda.usable() ? SessionFactory.CUDA : SessionFactory.CPU,
                System.getProperty("onnxruntime.native.path", "(unpacked to the temp directory on each run)"));
    }
}
