package dev.mldev.cost;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mldev.Durations;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a deployment will cost before it exists ({@code mldev deploy --dry-run}).
 *
 * <p>For an endpoint: with min replicas above zero it bills min replicas x node price every hour. Scaled to
 * zero it bills nothing idle, and each wake keeps {@code wakeReplicas} nodes up for the awake window: the
 * longer of the min scale-up period (the least a woken endpoint stays up) and the idle scale-down period
 * (how long a last request keeps it up). For N requests a day the best case is all of them in one awake
 * window (one wake a day); the worst is each arriving just after the last scale-down (N wakes a day), capped at
 * being warm all day. For a pipeline target every request is one run of its own.
 *
 * @param nodePricePerHour price of one node, or null when unknown
 * @param unknownPrice     why the node price is unknown, or null
 * @param idleCostPerHour  what it bills per hour with no traffic (null when unknown)
 * @param costPerWake      what one wake (or one pipeline run) costs (null when unknown)
 * @param dailyCostBest    a day of {@code requestsPerDay} requests, bunched (null when unknown)
 * @param dailyCostWorst   a day of {@code requestsPerDay} requests, spread out (null when unknown)
 * @param requestsPerDay   the traffic assumed
 * @param notes            the assumptions behind the numbers, in words
 */
public record Forecast(
        BigDecimal nodePricePerHour,
        String unknownPrice,
        BigDecimal idleCostPerHour,
        BigDecimal costPerWake,
        BigDecimal dailyCostBest,
        BigDecimal dailyCostWorst,
        int requestsPerDay,
        List<String> notes) {
    private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);
    private static final BigDecimal HOURS_PER_DAY = BigDecimal.valueOf(24);

    public Forecast {
        notes = List.copyOf(notes);
    }

    /**
     * An endpoint with dedicated resources.
     *
     * @param node                price of one node ({@link NodePricer#price(String, String, String, int)})
     * @param minReplicas         0 for scale to zero
     * @param wakeReplicas        nodes started on a wake (initial replica count; at least 1 is used)
     * @param minScaleupPeriod    ScaleToZeroSpec.min_scaleup_period (ignored when min replicas is above 0)
     * @param idleScaledownPeriod ScaleToZeroSpec.idle_scaledown_period (ignored when min replicas is above 0)
     * @param requestsPerDay      requests a day to forecast for (at least 0)
     */
    public static Forecast endpoint(
            NodePrice node,
            int minReplicas,
            int wakeReplicas,
            Duration minScaleupPeriod,
            Duration idleScaledownPeriod,
            int requestsPerDay) {
        checkRequests(requestsPerDay);
        List<String> notes = new ArrayList<>();
        if (minReplicas > 0) {
            notes.add("min replicas " + minReplicas + ": never scales to zero, bills every hour whatever the traffic");
            BigDecimal idle = node.times(minReplicas);
            BigDecimal day = idle == null ? null : idle.multiply(HOURS_PER_DAY);
            return new Forecast(
                    node.perHour(),
                    node.unknown(),
                    idle,
                    node.isKnown() ? BigDecimal.ZERO : null,
                    day,
                    day,
                    requestsPerDay,
                    notes);
        }
        int nodes = Math.max(1, wakeReplicas);
        Duration window = minScaleupPeriod.compareTo(idleScaledownPeriod) >= 0 ? minScaleupPeriod : idleScaledownPeriod;
        notes.add("scale to zero: idle costs nothing; a wake keeps " + nodes + " node(s) up at least "
                + Durations.format(window) + " (min scale-up " + Durations.format(minScaleupPeriod)
                + ", idle scale-down " + Durations.format(idleScaledownPeriod) + ")");
        notes.add("best case: the " + requestsPerDay + " requests come together (one wake a day); worst case: each"
                + " comes after the last scale-down (one wake per request, at most warm all day)");
        if (!node.isKnown()) {
            return new Forecast(null, node.unknown(), BigDecimal.ZERO, null, null, null, requestsPerDay, notes);
        }
        BigDecimal wake = hours(node.times(nodes), window);
        BigDecimal best = requestsPerDay == 0 ? BigDecimal.ZERO : wake;
        BigDecimal allDay = node.times(nodes).multiply(HOURS_PER_DAY);
        BigDecimal worst = wake.multiply(BigDecimal.valueOf(requestsPerDay)).min(allDay);
        return new Forecast(node.perHour(), null, BigDecimal.ZERO, wake, best, worst, requestsPerDay, notes);
    }

    /**
     * A service that scales to zero and holds requests while an instance starts (Cloud Run): idle it bills nothing;
     * a wake keeps one instance up for {@code awakeWindow} (the cold start and the idle time before the instance is
     * stopped). Best case: the requests come together (one wake a day); worst case: traffic keeps all
     * {@code maxInstances} up all day, the most it can bill (its cost cap).
     */
    public static Forecast service(NodePrice instance, int maxInstances, Duration awakeWindow, int requestsPerDay) {
        checkRequests(requestsPerDay);
        List<String> notes = List.of(
                "min instances 0: idle costs nothing; a wake keeps one instance up about "
                        + Durations.format(awakeWindow) + " (cold start, then idle until Cloud Run stops it)",
                "best case: the " + requestsPerDay
                        + " requests come together (one wake a day); worst case: traffic keeps all " + maxInstances
                        + " max instances up all day (the cost cap)");
        if (!instance.isKnown()) {
            return new Forecast(null, instance.unknown(), BigDecimal.ZERO, null, null, null, requestsPerDay, notes);
        }
        BigDecimal wake = hours(instance.perHour(), awakeWindow);
        BigDecimal best = requestsPerDay == 0 ? BigDecimal.ZERO : wake;
        BigDecimal worst = instance.times(maxInstances).multiply(HOURS_PER_DAY);
        return new Forecast(instance.perHour(), null, BigDecimal.ZERO, wake, best, worst, requestsPerDay, notes);
    }

    /**
     * A pipeline target: nothing exists between requests, and each request is one run of {@code runTime} on one
     * node plus the per-run Pipelines fee.
     */
    public static Forecast perRun(NodePrice node, Duration runTime, BigDecimal runFee, int requestsPerDay) {
        checkRequests(requestsPerDay);
        List<String> notes = List.of("nothing runs between requests: each request is one pipeline run of about "
                + Durations.format(runTime) + " on one node, plus the Vertex AI Pipelines fee of " + Usd.format(runFee)
                + " per run");
        if (!node.isKnown()) {
            return new Forecast(null, node.unknown(), BigDecimal.ZERO, null, null, null, requestsPerDay, notes);
        }
        BigDecimal run = hours(node.perHour(), runTime).add(runFee);
        BigDecimal day = run.multiply(BigDecimal.valueOf(requestsPerDay));
        return new Forecast(node.perHour(), null, BigDecimal.ZERO, run, day, day, requestsPerDay, notes);
    }

    /** The {@code "forecast"} object of {@code deploy --dry-run --json}. Unknown amounts are null. */
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("node_price_per_hour_usd", Usd.json(nodePricePerHour));
        json.put("idle_cost_per_hour_usd", Usd.json(idleCostPerHour));
        json.put("cost_per_wake_usd", Usd.json(costPerWake));
        json.put("requests_per_day", requestsPerDay);
        json.put("daily_cost_usd_best", Usd.json(dailyCostBest));
        json.put("daily_cost_usd_worst", Usd.json(dailyCostWorst));
        json.put("unknown_price", unknownPrice);
        notes.forEach(json.putArray("notes")::add);
        return json;
    }

    /** The forecast for people, a line each. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add("node price:        " + Usd.perHour(nodePricePerHour)
                + (unknownPrice == null ? "" : " (" + unknownPrice + ")"));
        lines.add("idle cost:         " + Usd.perHour(idleCostPerHour));
        lines.add("cost per wake:     " + Usd.format(costPerWake));
        lines.add("a day of " + requestsPerDay + " requests: " + Usd.format(dailyCostBest) + " best, "
                + Usd.format(dailyCostWorst) + " worst");
        notes.forEach(n -> lines.add("  " + n));
        return lines;
    }

    private static BigDecimal hours(BigDecimal perHour, Duration duration) {
        return perHour.multiply(BigDecimal.valueOf(duration.toSeconds()))
                .divide(SECONDS_PER_HOUR, 10, RoundingMode.HALF_UP);
    }

    private static void checkRequests(int requestsPerDay) {
        if (requestsPerDay < 0) {
            throw dev.mldev.MldevException.usage(
                    "--requests-per-day must be 0 or more, not " + requestsPerDay,
                    "pass how many requests a day you expect, e.g. --requests-per-day 10");
        }
    }
}
