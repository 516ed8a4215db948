package dev.mldev.cli;

import dev.mldev.cost.Billable;
import dev.mldev.cost.IdleCostGate;
import dev.mldev.cost.IdleCostJson;
import dev.mldev.cost.IdleCostReport;
import dev.mldev.cost.IdleCostText;
import dev.mldev.cost.IdleCosts;
import dev.mldev.cost.LocalBillables;
import dev.mldev.cost.PriceTables;
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

    @Override
    public Integer call() {
        IdleCostGate.checkLimit(maxIdleCost);
        List<Billable> billables = new ArrayList<>();
        for (DeploymentRecord record : Targets.store(env()).list()) {
            billables.add(LocalBillables.of(Targets.of(record.target(), env()).status(record)));
        }
        IdleCostReport report = new IdleCosts(PriceTables.load(env(), prices), Clock.systemUTC()).report(billables);
        IdleCostReport.Verdict verdict = maxIdleCost == null ? null : report.gate(maxIdleCost);
        if (json) {
            out().println(IdleCostJson.write(report, verdict));
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
        }
        out().flush();
        return IdleCostGate.apply(verdict, err());
    }
}
