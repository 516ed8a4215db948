package dev.mldev.cost;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One row of the price table: USD per hour, whether it is a Compute Engine price (a Vertex AI node pays it times
 * the table's markup) or already Vertex AI's own price (paid as it is), and where it came from.
 *
 * @param perHour USD per hour (per GPU for accelerators)
 * @param basis   which price list the number is from
 * @param source  where it came from, in words (a SKU, a transcription, a derivation)
 */
public record Price(BigDecimal perHour, Basis basis, String source) {
    public enum Basis {
        /** A Compute Engine list price: Vertex AI bills it times {@link PriceTable#vertexMarkup()}. */
        COMPUTE_ENGINE,
        /** Vertex AI's own price: no markup. */
        VERTEX_AI
    }

    public Price {
        Objects.requireNonNull(perHour);
        Objects.requireNonNull(basis);
        Objects.requireNonNull(source);
    }

    /** What one hour costs on Vertex AI. */
    public BigDecimal vertexPerHour(BigDecimal markup) {
        return basis == Basis.VERTEX_AI ? perHour : perHour.multiply(markup);
    }
}
