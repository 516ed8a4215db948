package dev.mldev.cost.billing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mldev.cost.Usd;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a project really spent, from its Cloud Billing export to BigQuery: cost net of credits per service since
 * a time, in the billing account's currency.
 *
 * @param table     the export table read, PROJECT.DATASET.TABLE
 * @param since     the start of the period (usage start times at or after it)
 * @param currency  the billing currency (e.g. USD)
 * @param services  spend per service, most first
 */
public record ActualSpend(String table, Instant since, String currency, List<ServiceSpend> services) {
    public record ServiceSpend(String service, BigDecimal cost) {}

    public ActualSpend {
        services = List.copyOf(services);
    }

    public BigDecimal total() {
        return services.stream().map(ServiceSpend::cost).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** The {@code "actual_spend"} object of {@code status --json}. */
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("table", table);
        json.put("since", since.toString());
        json.put("currency", currency);
        json.put("total", Usd.json(total()));
        ArrayNode byService = json.putArray("by_service");
        services.forEach(s -> byService.addObject().put("service", s.service()).put("cost", Usd.json(s.cost())));
        return json;
    }

    /** "spent in the last 30 days: $15.65 (Vertex AI $15.25, Cloud Storage $0.40), from TABLE". */
    public String line() {
        String money = "USD".equals(currency) ? Usd.format(total()) : total().toPlainString() + " " + currency;
        String parts = services.stream()
                .map(s -> s.service() + " "
                        + ("USD".equals(currency)
                                ? Usd.format(s.cost())
                                : s.cost().toPlainString()))
                .collect(Collectors.joining(", "));
        return "spent since "
                + since.truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                        .toString()
                        .substring(0, 10) + ": " + money + (parts.isEmpty() ? "" : " (" + parts + ")")
                + ", from the billing export " + table;
    }
}
