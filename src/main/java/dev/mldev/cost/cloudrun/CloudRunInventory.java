package dev.mldev.cost.cloudrun;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cloud.GoogleRest;
import dev.mldev.cost.Billable;
import dev.mldev.cost.Inventory;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Every Cloud Run service in a project's regions, mldev's or not (Admin API v2, ListServices, every page). A region
 * the API refuses (Cloud Run not enabled, no permission) is said once and skipped: status still lists the rest.
 */
public final class CloudRunInventory implements Inventory {
    private final Environment env;
    private final String project;
    private final List<String> regions;
    private final Consumer<String> notice;

    public CloudRunInventory(Environment env, String project, List<String> regions, Consumer<String> notice) {
        this.env = env;
        this.project = project;
        this.regions = List.copyOf(regions);
        this.notice = notice;
    }

    @Override
    public List<Billable> list() {
        List<Billable> all = new ArrayList<>();
        for (String region : regions) {
            CloudContext cloud = CloudContext.connect(env, project, region);
            GoogleRest run = new GoogleRest(cloud, cloud.endpoints().runBaseUrl());
            try {
                services(run, cloud.location()).forEach(service -> all.add(CloudRunServices.billable(service)));
            } catch (MldevException e) {
                notice.accept("Cloud Run services in " + region + " not listed: " + e.getMessage());
            }
        }
        return all;
    }

    /** The services under projects/P/locations/R, following nextPageToken. */
    public static List<JsonNode> services(GoogleRest run, String location) {
        List<JsonNode> services = new ArrayList<>();
        String page = "";
        do {
            String path = "/v2/" + location + "/services"
                    + (page.isEmpty() ? "" : "?pageToken=" + URLEncoder.encode(page, StandardCharsets.UTF_8));
            JsonNode answer = run.get("listing Cloud Run services in " + location, path);
            answer.path("services").forEach(services::add);
            page = answer.path("nextPageToken").asText("");
        } while (!page.isEmpty());
        return services;
    }
}
