package dev.mldev.cli;

import dev.mldev.cost.CostStatus;
import dev.mldev.cost.IdleCostJson;
import dev.mldev.cost.IdleCostReport;
import dev.mldev.cost.IdleCostText;
import dev.mldev.deploy.StoredDeployments;
import dev.mldev.deploy.local.LocalInventory;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "status",
        description = {
            "List what is deployed or running, and what it costs while idle.",
            "Local deployments, and every Vertex AI endpoint, running pipeline or custom job and Cloud Run service in the"
                    + " project's regions: whether each is warm, at zero or down.",
            "With --max-idle-cost, exits 3 when the total idle cost per hour is over the limit (unknown prices fail)."
        })
final class StatusCommand extends BaseCommand {
    @Option(
            names = "--target",
            paramLabel = "local|vertex|all",
            description = "What to list (default: all when a project is configured, else local).")
    CostStatus.Scope target;

    @Option(names = "--project", paramLabel = "PROJECT", description = "Google Cloud project.")
    String project;

    @Option(
            names = "--region",
            paramLabel = "REGION",
            split = ",",
            description =
                    "Vertex AI region(s) to list (default: the configured region and those of recorded deployments).")
    List<String> regions = new ArrayList<>();

    @Option(names = "--all-regions", description = "List every region with Vertex AI.")
    boolean allRegions;

    @Option(names = "--json", description = "A JSON object with one entry per deployment (schema 1, see the README).")
    boolean json;

    @Option(
            names = "--max-idle-cost",
            paramLabel = "USD_PER_HOUR",
            description =
                    "CI gate: exit 3 when the idle cost per hour of everything listed is over this (0: anything).")
    BigDecimal maxIdleCost;

    @Option(
            names = "--prices",
            paramLabel = "FILE",
            description = "Price table to use instead of the cached or built-in one.")
    Path prices;

    @Option(
            names = "--billing-table",
            paramLabel = "PROJECT.DATASET.TABLE",
            description =
                    "Also show what the project really spent in the last 30 days, from its BigQuery billing export.")
    String billingTable;

    @Override
    public Integer call() {
        CostStatus.Result result = new CostStatus(env(), Clock.systemUTC(), this::notice)
                .report(
                        new CostStatus.Request(target, project, regions, allRegions, maxIdleCost, prices, billingTable),
                        new StoredDeployments(
                                Targets.store(env()),
                                this::notice,
                                records -> new LocalInventory(Targets.local(env(), this::notice), records)));
        if (json) {
            out().println(IdleCostJson.write(result.report(), result.verdict(), result.spend()));
        } else {
            printText(result);
        }
        out().flush();
        return applyGate(result.verdict(), err());
    }

    private void printText(CostStatus.Result result) {
        boolean forPeople = terminal().interactive();
        Table table = new Table(IdleCostText.HEADER.toArray(String[]::new));
        IdleCostText.rows(result.report(), forPeople).forEach(cells -> table.row(cells.toArray(String[]::new)));
        table.print(out(), forPeople);
        // the totals line even for nothing: a script reading it sees $0.00/h, not a missing line
        out().println((forPeople ? "\n" : "# ") + IdleCostText.totals(result.report()));
        if (result.report().rows().isEmpty() && forPeople) {
            notice("nothing deployed; try 'mldev deploy BUNDLE'");
        }
        if (result.spend() != null) {
            out().println((forPeople ? "" : "# ") + result.spend().line());
        }
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
}
