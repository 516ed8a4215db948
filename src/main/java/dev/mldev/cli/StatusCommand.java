package dev.mldev.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mldev.cost.Billable;
import dev.mldev.cost.IdleCostGate;
import dev.mldev.cost.IdleCostJson;
import dev.mldev.cost.IdleCostReport;
import dev.mldev.cost.IdleCostText;
import dev.mldev.cost.IdleCosts;
import dev.mldev.cost.LocalBillables;
import dev.mldev.cost.PriceTables;
import dev.mldev.cost.billing.ActualSpend;
import dev.mldev.cost.billing.BillingExport;
import dev.mldev.target.DeploymentRecord;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", description = {"What is deployed, whether it is warm, at zero or down, and what it costs idle.",
        "With --max-idle-cost, exits 3 when the total idle cost per hour is over the limit (unknown prices fail)."})
final class StatusCommand extends BaseCommand {
    @Option(names = "--json", description = "A JSON object with one entry per deployment (schema 1, see the README).")
    boolean json;

    @Option(names = "--max-idle-cost", paramLabel = "USD_PER_HOUR",
            description = "CI gate: exit 3 when the idle cost per hour of everything listed is over this (0: anything).")
    BigDecimal maxIdleCost;

    @Option(names = "--prices", paramLabel = "FILE", description = "Price table to use instead of the cached or built-in one.")
    Path prices;

    @Option(names = "--project", paramLabel = "PROJECT", description = "Google Cloud project (for --billing-table).")
    String project;

    @Option(names = "--billing-table", paramLabel = "PROJECT.DATASET.TABLE",
            description = "Also show what the project really spent in the last 30 days, from its BigQuery billing export.")
    String billingTable;

    @Override
    public Integer call() {
        IdleCostGate.checkLimit(maxIdleCost);
        if (billingTable != null) {
            BillingExport.checkRequest(billingTable, project);
        }
        List<Billable> billables = new ArrayList<>();
        for (DeploymentRecord record : Targets.store(env()).list()) {
            billables.add(LocalBillables.of(Targets.of(record.target(), env()).status(record)));
        }
        IdleCostReport report = new IdleCosts(PriceTables.load(env(), prices), Clock.systemUTC()).report(billables);
        IdleCostReport.Verdict verdict = maxIdleCost == null ? null : report.gate(maxIdleCost);
        ActualSpend spend = billingTable == null ? null
                : BillingExport.connect(env(), billingTable, Clock.systemUTC()).spend(billingTable, project);
        if (json) {
            ObjectNode root = IdleCostJson.toJson(report, verdict);
            if (spend != null) {
                root.set("actual_spend", spend.toJson());
            }
            out().println(IdleCostJson.write(root));
        } else {
            boolean forPeople = terminal().interactive();
            Table table = new Table(IdleCostText.HEADER.toArray(String[]::new));
            IdleCostText.rows(report, forPeople).forEach(cells -> table.row(cells.toArray(String[]::new)));
            table.print(out(), forPeople);
            if (!billables.isEmpty()) {
                out().println((forPeople ? "\n" : "# ") + IdleCostText.totals(report));
            } else if (forPeople) {
                notice("nothing deployed; try 'mldev deploy BUNDLE'");
            }
            if (spend != null) {
                out().println((forPeople ? "" : "# ") + spend.line());
            }
        }
        out().flush();
        return IdleCostGate.apply(verdict, err());
    }
}
