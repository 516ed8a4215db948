package dev.mldev.cli;

import dev.mldev.Json;
import dev.mldev.runtime.Doctor;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "doctor",
        description = {"Check what mldev can use here: Java, ONNX Runtime, its providers, CUDA."})
final class DoctorCommand extends BaseCommand {
    @Option(names = "--json", description = "The findings as a JSON object.")
    boolean json;

    @Override
    public Integer call() {
        Map<String, Object> report =
                Doctor.report(env(), this::notice, verbose()).toMap();
        if (json) {
            out().println(Json.write(report));
        } else {
            report.forEach((key, value) -> out().printf("%-22s %s%n", key.replace('_', ' '), value));
        }
        return 0;
    }
}
