package dev.mldev.runtime;

import java.util.List;

/**
 * Greedy CTC: the best class at each time step, repeats merged, blanks dropped. The score is the mean
 * probability of the kept characters, as PaddleOCR reports it. Spaces at either end (the model reads the
 * margins of a line as spaces now and then) are trimmed from the text.
 */
final class CtcDecoder implements OutputDecoder {
    private final List<String> vocabulary;
    private final int blank;
    private final boolean spaceAtEnd;

    CtcDecoder(List<String> vocabulary, int blank, boolean spaceAtEnd) {
        this.vocabulary = vocabulary;
        this.blank = blank;
        this.spaceAtEnd = spaceAtEnd;
    }

    @Override
    public Prediction decode(List<Tensor> outputs, int item, int topK) {
        Tensor probabilities = outputs.get(0);
        int steps = (int) probabilities.shape()[1];
        int classes = (int) probabilities.shape()[2];
        float[] data = probabilities.data();
        int base = item * steps * classes;
        StringBuilder text = new StringBuilder();
        double confidence = 0;
        int kept = 0;
        int previous = -1;
        for (int t = 0; t < steps; t++) {
            int row = base + t * classes;
            int best = 0;
            float bestP = data[row];
            for (int c = 1; c < classes; c++) {
                if (data[row + c] > bestP) {
                    bestP = data[row + c];
                    best = c;
                }
            }
            if (best != blank && best != previous) {
                text.append(symbol(best));
                confidence += bestP;
                kept++;
            }
            previous = best;
        }
        return Prediction.of(text.toString().strip(), null, kept == 0 ? 0.0 : confidence / kept, null, null);
    }

    /** Index i >= 1 is line i of the vocabulary (index 0 is the blank); one past the last line is a space. */
    private String symbol(int index) {
        int line = index - 1;
        if (line >= 0 && line < vocabulary.size()) {
            return vocabulary.get(line);
        }
        return spaceAtEnd && line == vocabulary.size() ? " " : "";
    }
}
