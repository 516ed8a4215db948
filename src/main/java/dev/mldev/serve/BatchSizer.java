package dev.mldev.serve;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Learns which batch size runs fastest per image, and caps batches there. Bigger is not always faster: on 2 CPU
 * cores the text recognizer ran 45 images/s in batches of 4 and 32 in batches of 9 (its activations outgrow the
 * caches), while the small classifier kept gaining up to 16. The sizes tried are the powers of two up to the
 * maximum (and the maximum); each keeps a moving average of milliseconds per image, and every few batches one
 * size beside the best is tried again, so a change of load or input moves the cap.
 */
final class BatchSizer {
    private static final int TRY_NEIGHBOUR_EVERY = 8;
    private static final double WEIGHT = 0.25;

    private final int[] sizes;
    private final double[] msPerImage;
    private int best;
    private long batches;

    BatchSizer(int max) {
        List<Integer> candidates = new ArrayList<>();
        for (int size = 1; size < max; size *= 2) {
            candidates.add(size);
        }
        candidates.add(max);
        sizes = candidates.stream().mapToInt(Integer::intValue).toArray();
        msPerImage = new double[sizes.length];
        Arrays.fill(msPerImage, Double.NaN);
        best = sizes.length - 1; // until measured, as many as allowed
    }

    /** The most images the next batch should take. */
    synchronized int next() {
        batches++;
        if (batches % TRY_NEIGHBOUR_EVERY == 0) {
            int neighbour = (batches / TRY_NEIGHBOUR_EVERY) % 2 == 0 ? best - 1 : best + 1;
            if (neighbour >= 0 && neighbour < sizes.length) {
                return sizes[neighbour];
            }
        }
        return sizes[best];
    }

    /** A model run of {@code images} images took {@code nanos}. */
    synchronized void ran(int images, long nanos) {
        int i = sizes.length - 1;
        while (i > 0 && sizes[i] > images) {
            i--;
        }
        double ms = nanos / 1e6 / images;
        msPerImage[i] = Double.isNaN(msPerImage[i]) ? ms : (1 - WEIGHT) * msPerImage[i] + WEIGHT * ms;
        for (int j = 0; j < sizes.length; j++) {
            if (!Double.isNaN(msPerImage[j]) && (Double.isNaN(msPerImage[best]) || msPerImage[j] < msPerImage[best])) {
                best = j;
            }
        }
    }
}
