package dev.mldev.deploy.vertex;

import com.google.cloud.aiplatform.v1beta1.AcceleratorType;
import dev.mldev.MldevException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The GPUs Vertex AI serves on, by gcloud's names, and the machine families each attaches to: L4 with g2,
 * A100 40GB with a2-highgpu, A100 80GB with a2-ultragpu, H100 with a3-highgpu, T4/V100/P100/P4 with n1.
 * Checked before any call so a bad pair fails in a second, not after a 20-minute deploy.
 */
public enum Accelerator {
    L4("nvidia-l4", AcceleratorType.NVIDIA_L4, "g2-standard"),
    A100("nvidia-tesla-a100", AcceleratorType.NVIDIA_TESLA_A100, "a2-highgpu"),
    A100_80GB("nvidia-a100-80gb", AcceleratorType.NVIDIA_A100_80GB, "a2-ultragpu"),
    H100("nvidia-h100-80gb", AcceleratorType.NVIDIA_H100_80GB, "a3-highgpu"),
    T4("nvidia-tesla-t4", AcceleratorType.NVIDIA_TESLA_T4, "n1"),
    V100("nvidia-tesla-v100", AcceleratorType.NVIDIA_TESLA_V100, "n1"),
    P100("nvidia-tesla-p100", AcceleratorType.NVIDIA_TESLA_P100, "n1"),
    P4("nvidia-tesla-p4", AcceleratorType.NVIDIA_TESLA_P4, "n1");

    /** GPUs built into each g2 machine type (the a2/a3 types say it in their "-Ng" suffix). */
    private static final Map<String, Integer> G2_GPUS = Map.of(
            "g2-standard-4",
            1,
            "g2-standard-8",
            1,
            "g2-standard-12",
            1,
            "g2-standard-16",
            1,
            "g2-standard-32",
            1,
            "g2-standard-24",
            2,
            "g2-standard-48",
            4,
            "g2-standard-96",
            8);

    private static final Pattern BUILT_IN_COUNT = Pattern.compile("a[23]-(?:highgpu|ultragpu|megagpu)-(\\d+)g");
    private static final List<Integer> N1_COUNTS = List.of(1, 2, 4, 8);

    private final String gcloudName;
    private final AcceleratorType type;
    private final String family;

    Accelerator(String gcloudName, AcceleratorType type, String family) {
        this.gcloudName = gcloudName;
        this.type = type;
        this.family = family;
    }

    public String gcloudName() {
        return gcloudName;
    }

    public AcceleratorType type() {
        return type;
    }

    /** Parses gcloud's name (nvidia-l4) or the API's (NVIDIA_L4); "none" means CPU only (empty). */
    public static Optional<Accelerator> parse(String name) {
        if (name == null || name.isBlank() || name.equalsIgnoreCase("none")) {
            return Optional.empty();
        }
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        return Optional.of(Arrays.stream(values())
                .filter(a -> a.gcloudName.equals(wanted) || a.type.name().equalsIgnoreCase(wanted))
                .findFirst()
                .orElseThrow(() -> MldevException.usage(
                        "unknown GPU '" + name + "'",
                        "use one of: none, "
                                + Arrays.stream(values())
                                        .map(Accelerator::gcloudName)
                                        .collect(Collectors.joining(", ")))));
    }

    /** Exit 2 unless {@code count} of this GPU can attach to {@code machineType}. */
    public void checkFits(String machineType, int count) {
        String machine = machineType.toLowerCase(Locale.ROOT);
        if (!machine.startsWith(family + "-")) {
            throw MldevException.usage(
                    gcloudName + " attaches only to " + familyDescription() + " machines, not " + machineType,
                    "pass --machine " + family
                            + (family.equals("g2-standard") ? "-4" : family.equals("n1") ? "-standard-4" : "-1g")
                            + ", or the GPU that " + machineType + " takes: --gpu " + gpusFor(machine));
        }
        int builtIn = builtInCount(machine);
        if (builtIn > 0 && count != builtIn) {
            throw MldevException.usage(
                    machineType + " comes with " + builtIn + " " + gcloudName + ", not " + count,
                    "pass --gpu-count " + builtIn + ", or pick the machine type of that size");
        }
        if (builtIn == 0 && family.equals("n1") && !N1_COUNTS.contains(count)) {
            throw MldevException.usage(
                    count + " x " + gcloudName + " cannot attach to an n1 machine", "pass --gpu-count 1, 2, 4 or 8");
        }
        if (builtIn == 0 && !family.equals("n1")) {
            throw MldevException.usage(
                    machineType + " is not a " + familyDescription() + " machine type Vertex AI serves on",
                    "use e.g. " + family + (family.equals("g2-standard") ? "-4" : "-1g"));
        }
    }

    /** Exit 2 when a CPU-only deploy names a machine type that only exists with GPUs. */
    public static void checkCpuOnly(String machineType) {
        String machine = machineType.toLowerCase(Locale.ROOT);
        for (Accelerator a : values()) {
            if (!a.family.equals("n1") && machine.startsWith(a.family + "-")) {
                throw MldevException.usage(
                        machineType + " comes with " + a.gcloudName + " GPUs",
                        "pass --gpu " + a.gcloudName + ", or a CPU machine type such as n1-standard-4");
            }
        }
    }

    private String familyDescription() {
        return family.equals("n1") ? "n1-*" : family + "-*";
    }

    private static int builtInCount(String machine) {
        Integer g2 = G2_GPUS.get(machine);
        if (g2 != null) {
            return g2;
        }
        Matcher m = BUILT_IN_COUNT.matcher(machine);
        return m.matches() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static String gpusFor(String machine) {
        String gpus = Arrays.stream(values())
                .filter(a -> machine.startsWith(a.family + "-"))
                .map(Accelerator::gcloudName)
                .collect(Collectors.joining(", "));
        return gpus.isEmpty() ? "none" : gpus;
    }
}
