package dev.mldev.cost;

import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cost.billing.ActualSpend;
import dev.mldev.cost.billing.BillingExport;
import dev.mldev.cost.cloudrun.CloudRunInventory;
import dev.mldev.cost.vertex.VertexConnection;
import dev.mldev.cost.vertex.VertexInventory;
import dev.mldev.cost.vertex.VertexRegions;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What {@code mldev status} reports: decides what to list (local, Vertex AI, both) and in which regions, gathers
 * the billables from the inventories, prices them, applies the idle-cost gate and reads the actual spend.
 */
public final class CostStatus {
    /** What to list; the names are the values of {@code --target}. */
    public enum Scope {
        local,
        vertex,
        all
    }

    /**
     * @param scope        null: all when a project is given, else local
     * @param regions      the regions asked for; the recorded deployments' regions are added
     * @param maxIdleCost  the gate's limit per hour, or null for no gate
     * @param prices       a price table file instead of the cached or built-in one, or null
     * @param billingTable the BigQuery billing export to read the actual spend from, or null
     */
    public record Request(
            Scope scope,
            String project,
            List<String> regions,
            boolean allRegions,
            BigDecimal maxIdleCost,
            Path prices,
            String billingTable) {
        public Request {
            regions = List.copyOf(regions);
        }

        Scope effectiveScope() {
            return scope != null ? scope : project == null ? Scope.local : Scope.all;
        }
    }

    /** The priced report; the gate's verdict and the actual spend when asked for, else null. */
    public record Result(IdleCostReport report, IdleCostReport.Verdict verdict, ActualSpend spend) {}

    private final Environment env;
    private final Clock clock;
    private final Consumer<String> notice;

    /** @param notice one-line messages for stderr (what was not listed and why) */
    public CostStatus(Environment env, Clock clock, Consumer<String> notice) {
        this.env = env;
        this.clock = clock;
        this.notice = notice;
    }

    public Result report(Request request, Deployments deployments) {
        IdleCostGate.checkLimit(request.maxIdleCost());
        if (request.billingTable() != null) {
            BillingExport.checkRequest(request.billingTable(), request.project());
        }
        List<String> vertexRegions = vertexRegions(request, deployments);
        List<Billable> billables = new ArrayList<>();
        if (request.effectiveScope() != Scope.vertex) {
            billables.addAll(deployments.local().list());
        }
        if (!vertexRegions.isEmpty()) {
            // mldev's own Vertex AI deployments are among what the inventory lists
            billables.addAll(
                    new VertexInventory(VertexConnection.open(env, request.project()), vertexRegions, clock, notice)
                            .list());
            if (request.effectiveScope() == Scope.all) {
                billables.addAll(new CloudRunInventory(env, request.project(), vertexRegions, notice).list());
            }
        }
        IdleCostReport report = new IdleCosts(PriceTables.load(env, request.prices()), clock).report(billables);
        IdleCostReport.Verdict verdict = request.maxIdleCost() == null ? null : report.gate(request.maxIdleCost());
        ActualSpend spend = request.billingTable() == null
                ? null
                : BillingExport.connect(env, request.billingTable(), clock)
                        .spend(request.billingTable(), request.project());
        return new Result(report, verdict, spend);
    }

    /** The regions to list on Vertex AI, none when Vertex AI is not in scope. */
    private List<String> vertexRegions(Request request, Deployments deployments) {
        if (request.effectiveScope() == Scope.local) {
            return List.of();
        }
        Set<String> wanted = new LinkedHashSet<>(request.allRegions() ? VertexRegions.all() : request.regions());
        if (!request.allRegions()) {
            wanted.addAll(deployments.cloudRegions());
        }
        if (wanted.isEmpty()) {
            if (request.scope() == null) {
                notice.accept("Vertex AI not listed: no region known; pass --region R or --all-regions");
                return List.of();
            }
            throw MldevException.usage(
                    "--target " + request.scope() + " needs the regions to list",
                    "pass --region R (repeatable), --all-regions, or set MLDEV_REGION");
        }
        wanted.forEach(region -> CloudContext.checkProjectAndRegion(request.project(), region));
        return List.copyOf(wanted);
    }
}
