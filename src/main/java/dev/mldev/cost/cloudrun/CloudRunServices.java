package dev.mldev.cost.cloudrun;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mldev.DeploymentState;
import dev.mldev.Labels;
import dev.mldev.TargetKind;
import dev.mldev.cost.Billable;
import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Cloud Run Admin API v2 {@code Service} (its REST JSON) as a {@link Billable}: min and max instances of
 * its template, the first container's CPU and memory limits, its GPUs and where it answers.
 */
public final class CloudRunServices {
    /** The limit key Cloud Run takes a GPU count under. */
    public static final String GPU_LIMIT = "nvidia.com/gpu";

    private static final Pattern QUANTITY = Pattern.compile("(\\d+(?:\\.\\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?");

    private CloudRunServices() {}

    public static Billable billable(JsonNode service) {
        String name = service.path("name").asText();
        String shortName = name.substring(name.lastIndexOf('/') + 1);
        String region = name.contains("/locations/") ? name.split("/")[3] : null;
        JsonNode template = service.path("template");
        JsonNode limits = template.path("containers").path(0).path("resources").path("limits");
        int min = template.path("scaling")
                .path("minInstanceCount")
                .asInt(service.path("scaling").path("minInstanceCount").asInt(0));
        int max = template.path("scaling").path("maxInstanceCount").asInt(0);
        int gpus =
                limits.has(GPU_LIMIT) ? Integer.parseInt(limits.path(GPU_LIMIT).asText("0")) : 0;
        String gpu = template.path("nodeSelector").path("accelerator").asText(null);
        String deployment = service.path("labels").path(Labels.NAME).asText(shortName);
        return Billable.builder(deployment, TargetKind.CLOUD_RUN, Billable.Kind.SERVICE, state(service, min))
                .region(region)
                .machine(null, gpus > 0 ? gpu : null, gpus)
                .instance(new Billable.ServiceInstance(
                        cpus(limits.path("cpu").asText("1")),
                        gibibytes(limits.path("memory").asText("512Mi"))))
                .replicas(min, max)
                .url(service.path("uri").asText(null))
                .build();
    }

    /** Ready and at min 0: scaled to zero as far as the Admin API tells (it does not count running instances). */
    private static DeploymentState state(JsonNode service, int min) {
        String ready = service.path("terminalCondition").path("state").asText("");
        if (!ready.equals("CONDITION_SUCCEEDED")) {
            return DeploymentState.DOWN;
        }
        return min == 0 ? DeploymentState.ZERO : DeploymentState.WARM;
    }

    /** "4" or "4000m" vCPUs. */
    public static BigDecimal cpus(String quantity) {
        Matcher m = matcher(quantity);
        BigDecimal value = new BigDecimal(m.group(1));
        return "m".equals(m.group(2)) ? value.movePointLeft(3) : value;
    }

    /** "16Gi", "512Mi", "2G" as GiB. */
    public static BigDecimal gibibytes(String quantity) {
        Matcher m = matcher(quantity);
        BigDecimal value = new BigDecimal(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        BigDecimal bytes = value.multiply(
                switch (unit) {
                    case "Ki" -> BigDecimal.valueOf(1L << 10);
                    case "Mi" -> BigDecimal.valueOf(1L << 20);
                    case "Gi" -> BigDecimal.valueOf(1L << 30);
                    case "Ti" -> BigDecimal.valueOf(1L << 40);
                    case "k" -> BigDecimal.valueOf(1_000L);
                    case "M" -> BigDecimal.valueOf(1_000_000L);
                    case "G" -> BigDecimal.valueOf(1_000_000_000L);
                    case "T" -> BigDecimal.valueOf(1_000_000_000_000L);
                    default -> BigDecimal.ONE;
                });
        return bytes.divide(BigDecimal.valueOf(1L << 30), 6, java.math.RoundingMode.HALF_UP)
                .stripTrailingZeros();
    }

    private static Matcher matcher(String quantity) {
        Matcher m = QUANTITY.matcher(quantity.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a Kubernetes quantity: " + quantity);
        }
        return m;
    }
}
