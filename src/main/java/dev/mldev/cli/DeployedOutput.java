package dev.mldev.cli;

import dev.mldev.Json;
import dev.mldev.deploy.DeploymentRecord;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a cloud deploy prints once done: "NAME  URL" (with "(unchanged)" when nothing changed), or one JSON object. */
final class DeployedOutput {
    private DeployedOutput() {}

    /** @param extra the target's own fields, after the common ones in the JSON object */
    static void print(
            PrintWriter out, boolean json, DeploymentRecord record, boolean changed, Map<String, Object> extra) {
        if (json) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("name", record.name());
            result.put("target", record.target());
            result.put("url", record.url());
            result.put("version", record.version());
            result.put("changed", changed);
            result.putAll(extra);
            out.println(Json.write(result));
        } else {
            out.println(record.name() + "  " + record.url() + (changed ? "" : "  (unchanged)"));
        }
    }
}
