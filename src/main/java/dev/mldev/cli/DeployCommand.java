package dev.mldev.cli;

import dev.mldev.Durations;
import dev.mldev.Json;
import dev.mldev.TargetKind;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.cloudrun.CloudRunTarget;
import dev.mldev.deploy.vertex.VertexTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "deploy",
        sortOptions = false,
        description = {
            "Deploy a bundle on this machine or on Google Cloud.",
            "The default target is local (a background 'mldev serve' on this machine), or vertex when a Google Cloud"
                    + " project is configured."
        },
        footer = {
            "",
            "Examples:",
            "  mldev deploy ocr-rec                 # local, prints the URL",
            "  mldev deploy ocr-rec --name ocr --port 8081"
        })
final class DeployCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "BUNDLE", description = "Bundle directory or .zip.")
    Path bundle;

    @Option(
            names = "--target",
            paramLabel = "local|vertex|vertex-pipeline|cloud-run",
            description = "Where to deploy (default: vertex when a Google Cloud project is configured, else local).")
    String target;

    @Option(names = "--name", paramLabel = "N", description = "Deployment name (default: the bundle's name).")
    String name;

    @Option(
            names = "--port",
            defaultValue = "0",
            paramLabel = "P",
            description = "local: the port (default: a free one).")
    int port;

    @Option(
            names = "--idle-unload",
            paramLabel = "DURATION",
            description = "local: unload the model after this long idle (default: 10m).")
    Duration idleUnload;

    @Option(names = "--json", description = "The deployment record as JSON.")
    boolean json;

    @Mixin
    VertexOptions vertex;

    @Mixin
    CloudRunOptions cloudRun;

    @Override
    public Integer call() {
        // with a Google Cloud project configured (flag, environment or config file) the product's point: Vertex AI
        TargetKind chosen =
                target != null ? TargetKind.of(target) : vertex.project != null ? TargetKind.VERTEX : TargetKind.LOCAL;
        if (chosen == TargetKind.VERTEX) {
            return vertex.deploy(
                    Targets.vertex(env(), VertexTarget.DEFAULT_WAKE_TIMEOUT, this::notice),
                    env(),
                    bundle,
                    name,
                    json,
                    out(),
                    terminal().progress(err()));
        }
        if (chosen == TargetKind.CLOUD_RUN) {
            return cloudRun.deploy(
                    vertex,
                    Targets.cloudRun(env(), CloudRunTarget.DEFAULT_WAKE_TIMEOUT, this::notice),
                    env(),
                    bundle,
                    name,
                    json,
                    out(),
                    err(),
                    terminal());
        }
        if (chosen == TargetKind.VERTEX_PIPELINE) {
            return vertex.deployPipeline(
                    Targets.pipeline(env(), this::notice, question -> true),
                    env(),
                    bundle,
                    name,
                    json,
                    out(),
                    terminal().progress(err()));
        }
        List<String> serveArgs = new ArrayList<>();
        if (idleUnload != null) {
            serveArgs.addAll(List.of("--idle-unload", Durations.format(idleUnload)));
        }
        DeploymentRecord record = Targets.local(env(), this::notice)
                .deploy(bundle, name, port, serveArgs, terminal().progress(err()));
        if (json) {
            out().println(Json.write(Map.of(
                    "name",
                    record.name(),
                    "target",
                    record.target(),
                    "url",
                    record.url(),
                    "version",
                    record.version())));
        } else {
            out().println(record.name() + "  " + record.url());
        }
        return 0;
    }
}
