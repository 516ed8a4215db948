package dev.mldev.cli;

import dev.mldev.target.DeploymentRecord;
import dev.mldev.target.DeploymentStatus;
import dev.mldev.target.vertex.VertexTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", description = {"What is deployed, and whether it is loaded, at zero or down."})
final class StatusCommand extends BaseCommand {
    @Option(names = "--json", description = "A JSON object with one entry per deployment.")
    boolean json;

    @Override
    public Integer call() {
        List<DeploymentStatus> statuses = new ArrayList<>();
        for (DeploymentRecord record : Targets.store(env()).list()) {
            statuses.add(Targets.of(record.target(), env(), VertexTarget.DEFAULT_WAKE_TIMEOUT, this::notice, question -> true).status(record));
        }
        if (json) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("schema", 1);
            root.put("generated_at", Instant.now());
            root.put("deployments", statuses);
            out().println(Json.write(root));
            return 0;
        }
        Table table = new Table("NAME", "TARGET", "STATE", "IDLE", "REQUESTS", "URL");
        for (DeploymentStatus s : statuses) {
            table.row(s.name(), s.target(), s.state(),
                    s.idleSince() == null ? "-" : dev.mldev.Durations.format(Duration.ofSeconds(
                            Duration.between(s.idleSince(), Instant.now()).toSeconds())),
                    s.requestsServed() < 0 ? "-" : Long.toString(s.requestsServed()), s.url());
        }
        table.print(out(), terminal().interactive());
        if (statuses.isEmpty() && terminal().interactive()) {
            notice("nothing deployed; try 'mldev deploy BUNDLE'");
        }
        return 0;
    }
}
