package dev.mldev.deploy.cloudrun;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mldev.Labels;
import dev.mldev.bundle.Bundle;
import dev.mldev.bundle.Hashes;
import dev.mldev.cost.cloudrun.CloudRunServices;
import dev.mldev.serve.ServeOptions;
import java.nio.file.Path;

/**
 * The Cloud Run Admin API v2 {@code Service} a deploy sends, as its REST JSON (field names of
 * google/cloud/run/v2/service.proto and revision_template.proto in JSON form). Its labels carry the deployment name
 * and mldev-key, a digest of the bundle's files and every setting, which makes deploys idempotent.
 */
final class CloudRunResources {
    static final String KEY_LABEL = "mldev-key";
    static final int CONTAINER_PORT = 8080;
    static final String HEALTH_ROUTE = "/health";
    static final String PREDICT_ROUTE = ServeOptions.DEFAULT_PREDICT_ROUTE;
    private static final ObjectMapper JSON = new ObjectMapper();

    private CloudRunResources() {}

    /** 16 hex digits over the bundle's files and every setting that changes what is served or who may call it. */
    static String deploymentKey(Bundle bundle, CloudRunSpec spec) {
        StringBuilder text = new StringBuilder();
        for (Path file : bundle.files()) {
            text.append(file)
                    .append(' ')
                    .append(Hashes.sha256(bundle.dir().resolve(file)))
                    .append('\n');
        }
        text.append(spec.image())
                .append('\n')
                .append(spec.gpu())
                .append(' ')
                .append(spec.maxInstances())
                .append('\n')
                .append(spec.publicAccess())
                .append(' ')
                .append(spec.zonalRedundancy());
        return Hashes.sha256(text.toString()).substring(0, 16);
    }

    /**
     * The service: one container of the serving image on port 8080 (Cloud Run passes it as PORT), reading the bundle
     * from {@code artifactUri} as on Vertex AI (AIP_STORAGE_URI), with a startup probe on the health route.
     */
    static ObjectNode service(CloudRunSpec spec, String artifactUri, String key) {
        ObjectNode service = JSON.createObjectNode();
        ObjectNode labels = service.putObject("labels");
        Labels.of(spec.name()).forEach(labels::put);
        labels.put(KEY_LABEL, key);
        service.put("description", "mldev deployment " + spec.name());
        service.put("ingress", "INGRESS_TRAFFIC_ALL");
        service.put("invokerIamDisabled", spec.publicAccess());
        ObjectNode template = service.putObject("template");
        Labels.of(spec.name()).forEach(template.putObject("labels")::put);
        template.putObject("scaling").put("minInstanceCount", 0).put("maxInstanceCount", spec.maxInstances());
        template.putObject("nodeSelector").put("accelerator", spec.gpu());
        template.put("gpuZonalRedundancyDisabled", !spec.zonalRedundancy());
        // the server batches concurrent requests; more than a few per GPU instance only queue inside it
        template.put("maxInstanceRequestConcurrency", 4);
        template.put("timeout", "300s");
        ArrayNode containers = template.putArray("containers");
        ObjectNode container = containers.addObject();
        container.put("name", "serving");
        container.put("image", spec.image());
        container.putArray("ports").addObject().put("name", "http1").put("containerPort", CONTAINER_PORT);
        ArrayNode env = container.putArray("env");
        env.addObject().put("name", "AIP_STORAGE_URI").put("value", artifactUri);
        env.addObject().put("name", "AIP_HEALTH_ROUTE").put("value", HEALTH_ROUTE);
        env.addObject().put("name", "AIP_PREDICT_ROUTE").put("value", PREDICT_ROUTE);
        env.addObject().put("name", "MLDEV_DEVICE").put("value", "cuda");
        ObjectNode resources = container.putObject("resources");
        resources
                .putObject("limits")
                .put("cpu", CloudRunSpec.CPU)
                .put("memory", CloudRunSpec.MEMORY)
                .put(CloudRunServices.GPU_LIMIT, "1");
        resources.put("cpuIdle", false);
        resources.put("startupCpuBoost", true);
        // a GPU cold start pulls a large image and loads CUDA: up to 240 s before the first health answer
        container
                .putObject("startupProbe")
                .put("initialDelaySeconds", 0)
                .put("timeoutSeconds", 5)
                .put("periodSeconds", 10)
                .put("failureThreshold", 24)
                .putObject("httpGet")
                .put("path", HEALTH_ROUTE)
                .put("port", CONTAINER_PORT);
        return service;
    }
}
