package dev.mldev.cli;

import dev.mldev.Environment;
import dev.mldev.cost.Price;
import dev.mldev.cost.PriceTable;
import dev.mldev.cost.PriceTableJson;
import dev.mldev.cost.PriceTables;
import dev.mldev.cost.Usd;
import dev.mldev.cost.catalog.CatalogRefresh;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "prices",
        description = "The hourly prices mldev uses for idle costs and forecasts.",
        subcommands = {PricesCommand.Show.class, PricesCommand.Refresh.class})
final class PricesCommand extends BaseCommand {
    @Override
    public Integer call() {
        spec.commandLine().usage(err());
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "say 'show' or 'refresh'");
    }

    @Command(
            name = "show",
            description = {
                "Print the price table in force: --prices FILE, else the one 'prices refresh' cached, else the built-in.",
                "Node price on Vertex AI = (machine + accelerators x GPU price) x Vertex AI markup."
            })
    static final class Show extends BaseCommand {
        @Option(names = "--prices", paramLabel = "FILE", description = "Price table to use instead (JSON).")
        Path prices;

        @Option(names = "--region", paramLabel = "REGION", description = "Only this region.")
        String region;

        @Option(names = "--json", description = "The table in its file format.")
        boolean json;

        @Override
        public Integer call() {
            PriceTable table = PriceTables.load(env(), prices);
            if (region != null && !table.regions().containsKey(region)) {
                throw dev.mldev.MldevException.usage(
                        "no prices for region " + region + " in " + table.origin(),
                        "regions with prices: " + String.join(", ", new TreeMap<>(table.regions()).keySet()));
            }
            PrintWriter out = out();
            if (json) {
                PriceTable shown = region == null
                        ? table
                        : new PriceTable(
                                table.asOf(),
                                table.source(),
                                table.origin(),
                                table.vertexMarkup(),
                                table.assumptions(),
                                Map.of(region, table.regions().get(region)));
                out.println(PriceTableJson.text(shown));
            } else {
                print(out, table);
            }
            out.flush();
            return 0;
        }

        private void print(PrintWriter out, PriceTable table) {
            out.println("prices as of " + table.asOf() + " (" + table.origin() + ")");
            out.println("source: " + table.source());
            out.println("Vertex AI markup over Compute Engine: x"
                    + table.vertexMarkup().toPlainString());
            table.assumptions().forEach(a -> out.println("assumes: " + a));
            new TreeMap<>(table.regions()).forEach((name, prices) -> {
                if (region != null && !region.equals(name)) {
                    return;
                }
                out.println();
                out.println(name + "\tCOMPUTE ENGINE/H\tVERTEX AI/H\tSOURCE");
                new TreeMap<>(prices.machines()).forEach((k, v) -> line(out, k, v, table.vertexMarkup()));
                new TreeMap<>(prices.accelerators()).forEach((k, v) -> line(out, k, v, table.vertexMarkup()));
            });
        }

        private static void line(PrintWriter out, String name, Price price, BigDecimal markup) {
            String computeEngine = price.basis() == Price.Basis.COMPUTE_ENGINE ? Usd.format(price.perHour()) : "-";
            out.println(name + "\t" + computeEngine + "\t" + Usd.format(price.vertexPerHour(markup)) + "\t"
                    + price.source());
        }
    }

    @Command(
            name = "refresh",
            description = {
                "Read current prices from the Cloud Billing Catalog API (Compute Engine and Vertex AI SKUs) into the",
                "cache ($XDG_CACHE_HOME/mldev/prices.json), used from then on unless --prices is given.",
                "Needs Application Default Credentials with the Cloud Billing API enabled."
            })
    static final class Refresh extends BaseCommand {
        @Override
        public Integer call() {
            Environment env = env();
            Path cache = PriceTables.cacheFile(env);
            PriceTable previous = PriceTables.load(env, null);
            PriceTable table;
            try (CatalogRefresh refresh = CatalogRefresh.connect(env, Clock.systemUTC())) {
                table = refresh.refresh(previous, cache, terminal().progress(err()));
            }
            int machines = table.regions().values().stream()
                    .mapToInt(r -> r.machines().size())
                    .sum();
            int gpus = table.regions().values().stream()
                    .mapToInt(r -> r.accelerators().size())
                    .sum();
            PrintWriter out = out();
            out.println("prices as of " + table.asOf() + ": " + table.regions().size() + " regions, " + machines
                    + " machine prices, " + gpus + " GPU prices, Vertex AI markup x"
                    + table.vertexMarkup().toPlainString() + ", written to " + cache);
            out.flush();
            return 0;
        }
    }
}
