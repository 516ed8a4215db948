package dev.mldev.cli;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.mldev.runtime.SessionFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "doctor", description = {"Check what mldev can use here: Java, ONNX Runtime, its providers, CUDA."})
final class DoctorCommand extends BaseCommand {
    @Option(names = "--json", description = "The findings as a JSON object.")
    boolean json;

    @Override
    public Integer call() {
        OrtEnvironment ort = SessionFactory.ortEnvironment(verbose());
        SessionFactory.CudaCheck cuda = new SessionFactory(env(), this::notice, verbose()).checkCuda();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        report.put("onnxruntime", ort.getVersion());
        report.put("providers_compiled_in", OrtEnvironment.getAvailableProviders().stream()
                .map(OrtProvider::getName).collect(Collectors.toList()));
        report.put("cuda_usable", cuda.usable());
        report.put("cuda_reason", cuda.usable() ? "CUDA initialises" : cuda.reason());
        report.put("will_run_on", cuda.usable() ? SessionFactory.CUDA : SessionFactory.CPU);
        report.put("native_library_path", System.getProperty("onnxruntime.native.path", "(unpacked to the temp directory on each run)"));
        if (json) {
            out().println(Json.write(report));
        } else {
            report.forEach((key, value) -> out().printf("%-22s %s%n", key.replace('_', ' '), value));
        }
        return 0;
    }
}
