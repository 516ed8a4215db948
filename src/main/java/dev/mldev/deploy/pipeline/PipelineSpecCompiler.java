package dev.mldev.deploy.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mldev.deploy.vertex.Accelerator;
import dev.mldev.image.Launcher;
import java.util.List;

/**
 * Compiles the pipeline a vertex-pipeline deployment runs for each prediction: KFP IR (schemaVersion 2.1.0)
 * with one component that runs the serving image as a batch predictor over the inputs directory, on a GPU,
 * writing the JSON results to a file. Cloud Storage is reached through Vertex's /gcs/BUCKET mount.
 */
public final class PipelineSpecCompiler {
    public static final String SCHEMA_VERSION = "2.1.0";
    public static final String INPUT_DIR = "input_dir";
    public static final String OUTPUT_FILE = "output_file";
    static final String TASK = "predict";
    static final String COMPONENT = "comp-predict";
    static final String EXECUTOR = "exec-predict";
    /**
     * The batch predictor: every file of the inputs directory through the bundle, JSON to the output file. The
     * command replaces the image's entrypoint, so it names the image's mldev launcher by its absolute path.
     */
    static final String SCRIPT = "set -e; mkdir -p \"$(dirname \"$2\")\"; " + Launcher.PATH
            + " predict --local --device cuda --json --model \"$0\" \"$1\"/* > \"$2\"";

    private static final ObjectMapper JSON = new ObjectMapper();

    private PipelineSpecCompiler() {}

    /** The /gcs mount path of a gs:// URI, as the component's container sees it. */
    public static String mounted(String gsUri) {
        return "/gcs/" + gsUri.substring("gs://".length()).replaceAll("/+$", "");
    }

    public static ObjectNode compile(PipelineSpec spec, String bundleUri, String sdkVersion) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("pipelineInfo")
                .put("name", "mldev-" + spec.name())
                .put("description", "mldev batch prediction with " + spec.name());
        root.put("sdkVersion", sdkVersion);
        root.put("schemaVersion", SCHEMA_VERSION);

        ObjectNode rootComponent = root.putObject("root");
        stringInputs(rootComponent);
        ObjectNode task = rootComponent.putObject("dag").putObject("tasks").putObject(TASK);
        task.putObject("taskInfo").put("name", TASK);
        task.putObject("componentRef").put("name", COMPONENT);
        ObjectNode taskInputs = task.putObject("inputs").putObject("parameters");
        for (String parameter : List.of(INPUT_DIR, OUTPUT_FILE)) {
            taskInputs.putObject(parameter).put("componentInputParameter", parameter);
        }

        ObjectNode component = root.putObject("components").putObject(COMPONENT);
        component.put("executorLabel", EXECUTOR);
        stringInputs(component);

        ObjectNode container = root.putObject("deploymentSpec")
                .putObject("executors")
                .putObject(EXECUTOR)
                .putObject("container");
        container.put("image", spec.image());
        container.putArray("command").add("sh").add("-c").add(SCRIPT);
        ArrayNode args = container.putArray("args");
        args.add(mounted(bundleUri));
        args.add("{{$.inputs.parameters['" + INPUT_DIR + "']}}");
        args.add("{{$.inputs.parameters['" + OUTPUT_FILE + "']}}");
        ObjectNode resources = container.putObject("resources");
        resources.put("cpuLimit", (double) spec.cpus());
        resources.put("memoryLimit", (double) spec.memoryGb());
        resources.put("resourceCpuLimit", String.valueOf(spec.cpus()));
        resources.put("resourceMemoryLimit", spec.memoryGb() + "G");
        spec.gpu().ifPresent(gpu -> accelerator(resources, gpu, spec.gpuCount()));
        return root;
    }

    /** Both the current fields (resourceType, resourceCount) and the older ones (type, count). */
    private static void accelerator(ObjectNode resources, Accelerator gpu, int count) {
        resources
                .putObject("accelerator")
                .put("type", gpu.type().name())
                .put("count", String.valueOf(count))
                .put("resourceType", gpu.type().name())
                .put("resourceCount", String.valueOf(count));
    }

    private static void stringInputs(ObjectNode component) {
        ObjectNode parameters = component.putObject("inputDefinitions").putObject("parameters");
        for (String parameter : List.of(INPUT_DIR, OUTPUT_FILE)) {
            parameters.putObject(parameter).put("parameterType", "STRING");
        }
    }
}
