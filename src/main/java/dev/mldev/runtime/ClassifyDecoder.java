package dev.mldev.runtime;

import dev.mldev.runtime.Prediction.Scored;
import java.util.ArrayList;
import java.util.List;

/** The first output as one score per label: the best label, its score and the top k. */
final class ClassifyDecoder implements OutputDecoder {
    private final List<String> labels;
    private final int defaultTopK;
    private final boolean softmax;

    ClassifyDecoder(List<String> labels, int defaultTopK, boolean softmax) {
        this.labels = labels;
        this.defaultTopK = defaultTopK;
        this.softmax = softmax;
    }

    @Override
    public Prediction decode(List<Tensor> outputs, int item, int topK) {
        Tensor scores = outputs.get(0);
        int n = scores.itemSize();
        float[] p = new float[n];
        System.arraycopy(scores.data(), item * n, p, 0, n);
        if (softmax) {
            softmaxInPlace(p);
        }
        int k = Math.min(n, topK > 0 ? topK : defaultTopK);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        order.sort((a, b) -> Float.compare(p[b], p[a]));
        List<Scored> top = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            int index = order.get(i);
            top.add(new Scored(label(index), p[index]));
        }
        return Prediction.of(null, top.get(0).label(), top.get(0).score(), top, null);
    }

    private String label(int index) {
        return index < labels.size() ? labels.get(index) : Integer.toString(index);
    }

    private static void softmaxInPlace(float[] values) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.exp(values[i] - max);
            sum += values[i];
        }
        for (int i = 0; i < values.length; i++) {
            values[i] /= sum;
        }
    }
}
