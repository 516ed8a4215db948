package dev.mldev.runtime;

import dev.mldev.bundle.Preprocess;
import dev.mldev.runtime.ImageDecoder.BgrImage;
import java.util.Arrays;

/**
 * Turns BGR pixels into the model's input: bilinear resize (half-pixel centres, as OpenCV's INTER_LINEAR),
 * channel order, (value * scale - mean) / std, and NCHW or NHWC layout. Index tables per axis are computed once
 * per image; the resize is separable (across, then down), with normalisation fused into the second pass.
 */
public final class Preprocessor {
    private final Preprocess spec;
    private final boolean bgr;
    private final boolean nchw;
    private final float[] multiplier = new float[3];
    private final float[] offset = new float[3];

    public Preprocessor(Preprocess spec) {
        this.spec = spec;
        this.bgr = "bgr".equalsIgnoreCase(spec.color());
        this.nchw = "NCHW".equalsIgnoreCase(spec.layout());
        for (int c = 0; c < 3; c++) {
            // (v * scale - mean) / std == v * (scale / std) - mean / std
            multiplier[c] = (float) (spec.scale() / spec.std().get(c));
            offset[c] = (float) (spec.mean().get(c) / spec.std().get(c));
        }
    }

    /** The input tensor's height and width for an image, and the width the image itself is resized to. */
    public record Size(int height, int width, int contentWidth) {}

    public Size sizeFor(int imageWidth, int imageHeight) {
        Preprocess.Resize resize = spec.resize();
        if (resize.isFixed()) {
            return new Size(resize.height(), resize.width(), resize.width());
        }
        int width = (int) Math.ceil(resize.height() * (double) imageWidth / imageHeight);
        width = Math.max(1, width);
        if (resize.maxWidth() > 0) {
            width = Math.min(width, resize.maxWidth());
        }
        return new Size(resize.height(), resize.padRight() ? resize.maxWidth() : width, width);
    }

    /** True when the bundle itself caps the tensor width (fixed size, or keep-aspect with a maximum width). */
    public boolean widthIsBounded() {
        return spec.resize().isFixed() || spec.resize().maxWidth() > 0;
    }

    /** The input tensor's shape for a batch of n images of the given size, in the bundle's layout. */
    public long[] tensorShape(int n, int height, int width) {
        return nchw ? new long[] {n, 3, height, width} : new long[] {n, height, width, 3};
    }

    /**
     * Writes one image's tensor (3 x height x width values) into {@code out} at {@code offsetInOut}. Separable:
     * each source row the output needs is resized across once, into one array per channel, and each output row
     * is then a weighted sum of two such rows (the four-tap form's arithmetic, in the same order). Rows of
     * their own keep every array access at the same index, which lets the JIT vectorise the second pass.
     */
    public void write(BgrImage image, Size size, float[] out, int offsetInOut) {
        int cw = size.contentWidth();
        Axis xs = new Axis(image.width(), cw);
        Axis ys = new Axis(image.height(), size.height());
        float[][] upper = new float[3][cw];
        float[][] lower = new float[3][cw];
        float[] row = new float[cw];
        int upperRow = -1;
        int lowerRow = -1;
        for (int y = 0; y < size.height(); y++) {
            if (ys.low[y] != upperRow) {
                if (ys.low[y] == lowerRow) { // one source row down: the lower row becomes the upper
                    float[][] swap = upper;
                    upper = lower;
                    lower = swap;
                    lowerRow = -1;
                } else {
                    across(image, ys.low[y], xs, upper);
                }
                upperRow = ys.low[y];
            }
            if (ys.high[y] != lowerRow) {
                across(image, ys.high[y], xs, lower);
                lowerRow = ys.high[y];
            }
            float fy = ys.weight[y];
            for (int c = 0; c < 3; c++) {
                float[] top = upper[c];
                float[] bottom = lower[c];
                float m = multiplier[c];
                float o = offset[c];
                for (int x = 0; x < cw; x++) {
                    row[x] = lerp(top[x], bottom[x], fy) * m - o;
                }
                put(row, size, c, y, out, offsetInOut);
            }
        }
    }

    /** Source row {@code y} resized across to the content width, one array per channel in the model's order. */
    private void across(BgrImage image, int y, Axis xs, float[][] into) {
        byte[] px = image.pixels();
        int rowStart = y * image.width() * 3;
        int first = bgr ? 0 : 2; // byte order in memory is B, G, R
        int third = 2 - first;
        float[] c0 = into[0];
        float[] c1 = into[1];
        float[] c2 = into[2];
        for (int x = 0; x < c0.length; x++) {
            int left = rowStart + xs.low[x] * 3;
            int right = rowStart + xs.high[x] * 3;
            float fx = xs.weight[x];
            c0[x] = lerp(px[left + first] & 0xff, px[right + first] & 0xff, fx);
            c1[x] = lerp(px[left + 1] & 0xff, px[right + 1] & 0xff, fx);
            c2[x] = lerp(px[left + third] & 0xff, px[right + third] & 0xff, fx);
        }
    }

    /** One channel of output row y into the tensor, with zeros right of the content (as PaddleOCR pads). */
    private void put(float[] row, Size size, int c, int y, float[] out, int offsetInOut) {
        int w = size.width();
        int cw = size.contentWidth();
        if (nchw) {
            int start = offsetInOut + (c * size.height() + y) * w;
            System.arraycopy(row, 0, out, start, cw);
            Arrays.fill(out, start + cw, start + w, 0f);
            return;
        }
        int start = offsetInOut + y * w * 3 + c;
        for (int x = 0; x < w; x++) {
            out[start + x * 3] = x < cw ? row[x] : 0f;
        }
    }

    private static float lerp(float a, float b, float t) {
        return a + (b - a) * t;
    }

    /** For each output coordinate: the two source coordinates and the weight of the second. */
    private static final class Axis {
        final int[] low;
        final int[] high;
        final float[] weight;

        Axis(int sourceSize, int targetSize) {
            low = new int[targetSize];
            high = new int[targetSize];
            weight = new float[targetSize];
            double scale = sourceSize / (double) targetSize;
            for (int i = 0; i < targetSize; i++) {
                double s = Math.max(0, (i + 0.5) * scale - 0.5);
                int s0 = Math.min((int) s, sourceSize - 1);
                low[i] = s0;
                high[i] = Math.min(s0 + 1, sourceSize - 1);
                weight[i] = (float) (s - s0);
                if (s0 == sourceSize - 1) {
                    weight[i] = 0f;
                }
            }
        }
    }
}
