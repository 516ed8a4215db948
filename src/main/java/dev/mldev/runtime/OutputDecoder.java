package dev.mldev.runtime;

import dev.mldev.bundle.Bundle;
import dev.mldev.bundle.Postprocess;
import java.util.List;

/** Turns the outputs of a batch into one {@link Prediction} per item. */
public interface OutputDecoder {
    /**
     * @param item which item of the batch
     * @param topK how many labels to list (classify), or 0 for the bundle's default
     */
    Prediction decode(List<Tensor> outputs, int item, int topK);

    static OutputDecoder forBundle(Bundle bundle) {
        Postprocess post = bundle.manifest().postprocess();
        if (post instanceof Postprocess.Classify c) {
            return new ClassifyDecoder(bundle.readLines(c.labelsFile()), c.topK(), c.softmax());
        }
        if (post instanceof Postprocess.Ctc c) {
            return new CtcDecoder(bundle.readLines(c.vocabFile()), c.blankIndex(), c.spaceAtEnd());
        }
        return new RawDecoder();
    }
}
