package dev.mldev.bundle;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** What the model's first output means. Stored with a {@code "type"} field. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Postprocess.Classify.class, name = "classify"),
    @JsonSubTypes.Type(value = Postprocess.Ctc.class, name = "ctc"),
    @JsonSubTypes.Type(value = Postprocess.Raw.class, name = "raw"),
})
public sealed interface Postprocess {

    /** One score per label; softmax applied first when the model outputs logits. */
    record Classify(String labelsFile, int topK, boolean softmax) implements Postprocess {}

    /**
     * CTC text: argmax per time step, drop repeats and the blank. Index i (1..n) is line i of the vocabulary
     * file; with spaceAtEnd the index after the last line is a space.
     */
    record Ctc(String vocabFile, int blankIndex, boolean spaceAtEnd) implements Postprocess {}

    /** The output tensors as they are. */
    record Raw() implements Postprocess {}
}
