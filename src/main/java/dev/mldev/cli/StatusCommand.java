package dev.mldev.cli;

import dev.mldev.MldevException;
import dev.mldev.TargetKind;
import dev.mldev.cloud.CloudContext;
import dev.mldev.cost.Billable;
import dev.mldev.cost.IdleCostGate;
import dev.mldev.cost.IdleCostJson;
import dev.mldev.cost.IdleCostReport;
import dev.mldev.cost.IdleCostText;
import dev.mldev.cost.IdleCosts;
import dev.mldev.deploy.local.LocalBillables;
import dev.mldev.cost.PriceTables;
import dev.mldev.cost.billing.ActualSpend;
import dev.mldev.cost.billing.BillingExport;
import dev.mldev.cost.vertex.VertexConnection;
import dev.mldev.cost.vertex.VertexInventory;
import dev.mldev.cost.vertex.VertexRegions;
import dev.mldev.deploy.DeploymentRecord;
import dev.mldev.deploy.DeploymentStore;
import dev.mldev.deploy.local.LocalTarget;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", description = {
        "List what is deployed or running, and what it costs while idle.",
        "Local deployments, and every Vertex AI endpoint and running pipeline or custom job in the project's regions:"
                + " whether each is warm, at zero or down.",
        "With --max-idle-cost, exits 3 when the total idle cost per hour is over the limit (unknown prices fail)."})
final class StatusCommand extends BaseCommand {
    enum Scope { local, vertex, all }

    @Option(names = "--target", paramLabel = "local|vertex|all",
            description = "What to list (default: all when a project is configured, else local).")
    Scope target;

    @Option(names = "--project", paramLabel = "PROJECT", description = "Google Cloud project.")
    String project;

    @Option(names = "--region", paramLabel = "REGION", split = ",",
            description = "Vertex AI region(s) to list (default: the configured region and those of recorded deployments).")
    List<String> regions = new ArrayList<>();

    @Option(names = "--all-regions", description = "List every region with Vertex AI.")
    boolean allRegions;

    @Option(names = "--json", description = "A JSON object with one entry per deployment (schema 1, see the README).")
    boolean json;

    @Option(names = "--max-idle-cost", paramLabel = "USD_PER_HOUR",
            description = "CI gate: exit 3 when the idle cost per hour of everything listed is over this (0: anything).")
    BigDecimal maxIdleCost;

    @Option(names = "--prices", paramLabel = "FILE", description = "Price table to use instead of the cached or built-in one.")
    Path prices;

    @Option(names = "--billing-table", paramLabel = "PROJECT.DATASET.TABLE",
            description = "Also show what the project really spent in the last 30 days, from its BigQuery billing export.")
    String billingTable;

    @Override
    public Integer call() {
        IdleCostGate.checkLimit(maxIdleCost);
        if (billingTable != null) {
            BillingExport.checkRequest(billingTable, project);
        }
        DeploymentStore store = Targets.store(env());
        List<DeploymentRecord> records = store.list();
        store.unreadable().forEach(skipped -> notice("skipped: " + skipped.getMessage() + "; " + skipped.hint()));
        List<String> vertexRegions = vertexRegions(records);
        List<Billable> billables = new ArrayList<>();
        if (scope() != Scope.vertex) {
            LocalTarget local = Targets.local(env(), this::notice);
            records.stream().filter(r -> r.target().equals(TargetKind.LOCAL))
                    .forEach(r -> billables.add(LocalBillables.of(local.status(r))));
        }
        if (!vertexRegions.isEmpty()) {
            // mldev's own Vertex AI deployments are among what the inventory lists
            billables.addAll(new VertexInventory(VertexConnection.open(env(), project), vertexRegions,
                    Clock.systemUTC(), this::notice).list());
        }
        IdleCostReport report = new IdleCosts(PriceTables.load(env(), prices), Clock.systemUTC()).report(billables);
        IdleCostReport.Verdict verdict = maxIdleCost == null ? null : report.gate(maxIdleCost);
        ActualSpend spend = billingTable == null ? null
                : BillingExport.connect(env(), billingTable, Clock.systemUTC()).spend(billingTable, project);
        if (json) {
            out().println(IdleCostJson.write(report, verdict, spend));
        } else {
            boolean forPeople = terminal().interactive();
            Table table = new Table(IdleCostText.HEADER.toArray(String[]::new));
            IdleCostText.rows(report, forPeople).forEach(cells -> table.row(cells.toArray(String[]::new)));
            table.print(out(), forPeople);
            // the totals line even for nothing: a script reading it sees $0.00/h, not a missing line
            out().println((forPeople ? "\n" : "# ") + IdleCostText.totals(report));
            if (billables.isEmpty() && forPeople) {
                notice("nothing deployed; try 'mldev deploy BUNDLE'");
            }
            if (spend != null) {
                out().println((forPeople ? "" : "# ") + spend.line());
            }
        }
        out().flush();
        return applyGate(verdict, err());
    }

    /** The gate's one line on stderr and its exit code: 3 when tripped, 0 when passed or not asked for. */
    static int applyGate(IdleCostReport.Verdict verdict, PrintWriter err) {
        if (verdict == null) {
            return ExitCodes.OK;
        }
        err.println("mldev: " + verdict.summary());
        err.flush();
        return verdict.passed() ? ExitCodes.OK : ExitCodes.GATE;
    }

    private Scope scope() {
        return target != null ? target : project == null ? Scope.local : Scope.all;
    }

    /** The regions to list on Vertex AI, none when Vertex AI is not in scope. */
    private List<String> vertexRegions(List<DeploymentRecord> records) {
        if (scope() == Scope.local) {
            return List.of();
        }
        Set<String> wanted = new LinkedHashSet<>(allRegions ? VertexRegions.all() : regions);
        if (!allRegions) {
            records.stream().filter(r -> !r.target().equals(TargetKind.LOCAL) && r.detail("region") != null)
                    .forEach(r -> wanted.add(r.detail("region")));
        }
        if (wanted.isEmpty()) {
            if (target == null) {
                notice("Vertex AI not listed: no region known; pass --region R or --all-regions");
                return List.of();
            }
            throw MldevException.usage("--target " + target + " needs the regions to list",
                    "pass --region R (repeatable), --all-regions, or set MLDEV_REGION");
        }
        wanted.forEach(region -> CloudContext.checkProjectAndRegion(project, region));
        return List.copyOf(wanted);
    }
}
