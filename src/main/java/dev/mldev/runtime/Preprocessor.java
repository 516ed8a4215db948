package dev.mldev.runtime;

import dev.mldev.bundle.Preprocess;
import dev.mldev.runtime.ImageDecoder.BgrImage;

/**
 * Turns BGR pixels into the model's input, fused in one pass: bilinear resize (half-pixel centres, as OpenCV's
 * INTER_LINEAR), channel order, (value * scale - mean) / std, and NCHW or NHWC layout. Index tables per axis
 * are computed once per image, so the inner loop is four byte reads and a few multiplies per value.
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
    public record Size(int height, int width, int contentWidth) {
    }

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

    /** The input tensor's shape for a batch of n images of the given size, in the bundle's layout. */
    public long[] tensorShape(int n, int height, int width) {
        return nchw ? new long[] {n, 3, height, width} : new long[] {n, height, width, 3};
    }

    /** Writes one image's tensor (3 x height x width values) into {@code out} at {@code offsetInOut}. */
    public void write(BgrImage image, Size size, float[] out, int offsetInOut) {
        int h = size.height();
        int w = size.width();
        int cw = size.contentWidth();
        Axis xs = new Axis(image.width(), cw);
        Axis ys = new Axis(image.height(), h);
        byte[] px = image.pixels();
        int rowBytes = image.width() * 3;
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            int row0 = ys.low[y] * rowBytes;
            int row1 = ys.high[y] * rowBytes;
            float fy = ys.weight[y];
            for (int x = 0; x < w; x++) {
                if (x >= cw) { // right padding: zeros after normalisation, as PaddleOCR pads
                    for (int c = 0; c < 3; c++) {
                        out[index(offsetInOut, plane, w, c, y, x)] = 0f;
                    }
                    continue;
                }
                int col0 = xs.low[x] * 3;
                int col1 = xs.high[x] * 3;
                float fx = xs.weight[x];
                for (int c = 0; c < 3; c++) {
                    int source = bgr ? c : 2 - c; // byte order in memory is B, G, R
                    float top = lerp(px[row0 + col0 + source] & 0xff, px[row0 + col1 + source] & 0xff, fx);
                    float bottom = lerp(px[row1 + col0 + source] & 0xff, px[row1 + col1 + source] & 0xff, fx);
                    float value = lerp(top, bottom, fy);
                    out[index(offsetInOut, plane, w, c, y, x)] = value * multiplier[c] - offset[c];
                }
            }
        }
    }

    private int index(int base, int plane, int width, int c, int y, int x) {
        return nchw ? base + c * plane + y * width + x : base + (y * width + x) * 3 + c;
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
