package dev.mldev.cost;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code mldev status --json} document, schema 1 (documented in the README; a test pins it):
 * {@code {"schema":1,"generated_at","prices_as_of","prices_source","deployments":[...],
 * "total_idle_cost_per_hour_usd","total_idle_cost_per_30_days_usd","unknown_idle_cost":[names],
 * "gate":{...} (only with --max-idle-cost)}}. Money is in USD as JSON numbers; an unknown price is null.
 */
public final class IdleCostJson {
    public static final int SCHEMA = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private IdleCostJson() {}

    /** The document; {@code verdict} is the gate's outcome, or null when no gate was asked for. */
    public static ObjectNode toJson(IdleCostReport report, IdleCostReport.Verdict verdict) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("generated_at", report.generatedAt().toString());
        root.put("prices_as_of", report.prices().asOf().toString());
        root.put("prices_source", report.prices().origin());
        ArrayNode deployments = root.putArray("deployments");
        report.rows().forEach(row -> deployments.add(row(row)));
        root.put("total_idle_cost_per_hour_usd", Usd.json(report.totalIdleCostPerHour()));
        root.put("total_idle_cost_per_30_days_usd", Usd.json(report.totalIdleCostPer30Days()));
        ArrayNode unknown = root.putArray("unknown_idle_cost");
        report.unknownIdleCost().forEach(r -> unknown.add(r.billable().name()));
        if (verdict != null) {
            ObjectNode gate = root.putObject("gate");
            gate.put("max_idle_cost_per_hour_usd", Usd.json(verdict.limitPerHour()));
            gate.put("passed", verdict.passed());
            ArrayNode offenders = gate.putArray("offenders");
            verdict.offenders().forEach(r -> offenders.add(r.billable().name()));
        }
        return root;
    }

    public static String write(IdleCostReport report, IdleCostReport.Verdict verdict) {
        return write(toJson(report, verdict));
    }

    /**
     * The document with the actual spend from the billing export added (when not null) as {@code "actual_spend"}.
     * Commands get text, not Jackson types, so they link without Jackson on the class path ({@code --version}).
     */
    public static String write(
            IdleCostReport report, IdleCostReport.Verdict verdict, dev.mldev.cost.billing.ActualSpend spend) {
        ObjectNode document = toJson(report, verdict);
        if (spend != null) {
            document.set("actual_spend", spend.toJson());
        }
        return write(document);
    }

    private static String write(ObjectNode document) {
        try {
            return MAPPER.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode row(IdleCostRow row) {
        Billable b = row.billable();
        ObjectNode node = MAPPER.createObjectNode();
        node.put("name", b.name());
        node.put("target", b.target().id());
        node.put("kind", b.kind().name().toLowerCase(java.util.Locale.ROOT));
        node.put("state", b.state().label());
        node.put("replicas", b.replicasNow());
        node.put("idle_cost_per_hour_usd", Usd.json(row.idleCostPerHour()));
        node.put("awake_cost_per_hour_usd", Usd.json(row.awakeCostPerHour()));
        node.put("reason", row.reason());
        node.put("region", b.region());
        node.put("machine_type", b.machineType());
        node.put("accelerator_type", b.acceleratorType() == null ? null : Accelerators.normalize(b.acceleratorType()));
        node.put("accelerator_count", b.acceleratorCount());
        node.put("min_replicas", b.minReplicas());
        node.put("max_replicas", b.maxReplicas());
        node.put(
                "scale_to_zero_idle_seconds",
                b.scaleToZeroIdle() == null ? null : b.scaleToZeroIdle().toSeconds());
        node.put("idle_since", b.idleSince() == null ? null : b.idleSince().toString());
        node.put("url", b.url());
        node.put("requests_served", b.requestsServed());
        return node;
    }
}
