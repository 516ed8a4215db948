package dev.mldev.deploy.vertex.batch;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mldev.Durations;
import dev.mldev.cost.NodePrice;
import dev.mldev.cost.NodePricer;
import dev.mldev.cost.PriceTable;
import dev.mldev.cost.Usd;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a batch job will cost: the images' compute time (count x time per image), shared by the replicas, plus
 * each replica's start (provisioning the machine and pulling the image), billed per node hour. Nothing bills
 * before or after the job.
 *
 * @param images      instances forecast for (null when they are in Cloud Storage and not counted)
 * @param nodeHours   node hours billed (null when images is)
 * @param gpuHours    GPU hours within them
 * @param costUsd     the dollars (null when the node price or the count is unknown)
 * @param wall        the job's expected wall time
 */
public record BatchForecast(
        Integer images,
        BigDecimal nodePricePerHour,
        String unknownPrice,
        BigDecimal nodeHours,
        BigDecimal gpuHours,
        BigDecimal costUsd,
        Duration wall,
        List<String> notes) {
    /** The time per image assumed without --per-image-ms: a small model on one L4, with the request overhead. */
    static final int ASSUMED_PER_IMAGE_MS = 100;
    /** What a replica bills before its first prediction: machine provisioning and the image pull. */
    static final Duration REPLICA_START = Duration.ofMinutes(10);

    private static final BigDecimal MS_PER_HOUR = BigDecimal.valueOf(3_600_000);

    static BatchForecast of(PriceTable prices, BatchSpec spec, Integer images) {
        NodePrice node = new NodePricer(prices)
                .price(
                        spec.vertex().region(),
                        spec.vertex().machineType(),
                        spec.vertex().gpu().map(g -> g.type().name()).orElse(null),
                        spec.vertex().gpuCount());
        List<String> notes = new ArrayList<>();
        int perImage = spec.perImageMs() != null ? spec.perImageMs() : ASSUMED_PER_IMAGE_MS;
        notes.add(
                spec.perImageMs() != null
                        ? "per image: " + perImage + " ms, as measured (--per-image-ms)"
                        : "per image: " + perImage
                                + " ms assumed; pass --per-image-ms with the time 'mldev predict --json' measured"
                                + " (timings_ms) for a real figure");
        notes.add("each of the " + spec.replicas() + " replica(s) bills about " + Durations.format(REPLICA_START)
                + " to start (machine and image pull) before its first image; nothing bills before or after the job");
        if (images == null) {
            notes.add("the inputs are in Cloud Storage: their count is not known before the job");
            return new BatchForecast(null, node.perHour(), node.unknown(), null, null, null, null, notes);
        }
        BigDecimal computeMs = BigDecimal.valueOf((long) images * perImage);
        BigDecimal startHours = BigDecimal.valueOf(REPLICA_START.toSeconds() * spec.replicas())
                .divide(BigDecimal.valueOf(3600), 10, RoundingMode.HALF_UP);
        BigDecimal nodeHours =
                computeMs.divide(MS_PER_HOUR, 10, RoundingMode.HALF_UP).add(startHours);
        BigDecimal gpuHours =
                nodeHours.multiply(BigDecimal.valueOf(spec.vertex().gpuCount()));
        Duration wall = REPLICA_START.plusMillis((long) images * perImage / spec.replicas());
        BigDecimal cost = node.isKnown() ? node.perHour().multiply(nodeHours) : null;
        return new BatchForecast(
                images,
                node.perHour(),
                node.unknown(),
                nodeHours.setScale(4, RoundingMode.HALF_UP),
                gpuHours.setScale(4, RoundingMode.HALF_UP),
                cost,
                wall,
                notes);
    }

    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        if (images == null) {
            json.putNull("images");
        } else {
            json.put("images", images);
        }
        json.put("node_price_per_hour_usd", Usd.json(nodePricePerHour));
        json.put("node_hours", nodeHours);
        json.put("gpu_hours", gpuHours);
        json.put("cost_usd", Usd.json(costUsd));
        json.put("wall_seconds", wall == null ? null : wall.toSeconds());
        json.put("unknown_price", unknownPrice);
        notes.forEach(json.putArray("notes")::add);
        return json;
    }

    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add("node price:  " + Usd.perHour(nodePricePerHour)
                + (unknownPrice == null ? "" : " (" + unknownPrice + ")"));
        if (images != null) {
            lines.add(images + " images: " + nodeHours.stripTrailingZeros().toPlainString() + " node hours ("
                    + gpuHours.stripTrailingZeros().toPlainString() + " GPU hours), " + Usd.format(costUsd) + ", about "
                    + Durations.format(Duration.ofSeconds(wall.toSeconds())) + " wall time");
        }
        notes.forEach(n -> lines.add("  " + n));
        return lines;
    }
}
