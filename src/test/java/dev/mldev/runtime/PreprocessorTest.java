package dev.mldev.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.mldev.bundle.Preprocess;
import dev.mldev.runtime.ImageDecoder.BgrImage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The separable resize gives what the plain four-tap bilinear formula gives, in every layout and colour order. */
class PreprocessorTest {
    private static final Random RANDOM = new Random(7);

    @Test
    void keepAspectPaddedNchwBgrMatchesThePlainFormula() {
        Preprocess spec = new Preprocess(
                "NCHW",
                "bgr",
                Preprocess.Resize.keepAspect(48, 192, true),
                1 / 255.0,
                List.of(0.5, 0.5, 0.5),
                List.of(0.5, 0.5, 0.5));
        assertMatchesPlainFormula(spec, noise(263, 56));
        assertMatchesPlainFormula(spec, noise(900, 40)); // wider than max_width: squeezed, no padding
    }

    @Test
    void fixedSizeNhwcRgbMatchesThePlainFormulaUpAndDown() {
        Preprocess spec = new Preprocess(
                "NHWC",
                "rgb",
                Preprocess.Resize.fixed(32, 24),
                1 / 255.0,
                List.of(0.485, 0.456, 0.406),
                List.of(0.229, 0.224, 0.225));
        assertMatchesPlainFormula(spec, noise(7, 5));
        assertMatchesPlainFormula(spec, noise(100, 90));
        assertMatchesPlainFormula(spec, noise(1, 1));
    }

    private static void assertMatchesPlainFormula(Preprocess spec, BgrImage image) {
        Preprocessor preprocessor = new Preprocessor(spec);
        Preprocessor.Size size = preprocessor.sizeFor(image.width(), image.height());
        float[] actual = new float[3 * size.height() * size.width() + 5];
        preprocessor.write(image, size, actual, 5);
        float[] expected = plain(spec, image, size);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[5 + i]).as("value %d", i).isCloseTo(expected[i], within(1e-5f));
        }
    }

    /** Per output value: four pixels, OpenCV's half-pixel centres, edge clamped; zeros right of the content. */
    private static float[] plain(Preprocess spec, BgrImage image, Preprocessor.Size size) {
        int h = size.height();
        int w = size.width();
        int cw = size.contentWidth();
        float[] out = new float[3 * h * w];
        double sx = image.width() / (double) cw;
        double sy = image.height() / (double) h;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < cw; x++) {
                double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                double fy = Math.max(0, (y + 0.5) * sy - 0.5);
                int x0 = Math.min((int) fx, image.width() - 1);
                int y0 = Math.min((int) fy, image.height() - 1);
                int x1 = Math.min(x0 + 1, image.width() - 1);
                int y1 = Math.min(y0 + 1, image.height() - 1);
                double ax = x0 == image.width() - 1 ? 0 : fx - x0;
                double ay = y0 == image.height() - 1 ? 0 : fy - y0;
                for (int c = 0; c < 3; c++) {
                    int source = "bgr".equals(spec.color()) ? c : 2 - c;
                    double top = pixel(image, x0, y0, source) * (1 - ax) + pixel(image, x1, y0, source) * ax;
                    double bottom = pixel(image, x0, y1, source) * (1 - ax) + pixel(image, x1, y1, source) * ax;
                    double v = (top * (1 - ay) + bottom * ay) * spec.scale();
                    int index = "NCHW".equals(spec.layout()) ? c * h * w + y * w + x : (y * w + x) * 3 + c;
                    out[index] = (float) ((v - spec.mean().get(c)) / spec.std().get(c));
                }
            }
        }
        return out;
    }

    private static int pixel(BgrImage image, int x, int y, int channel) {
        return image.pixels()[(y * image.width() + x) * 3 + channel] & 0xff;
    }

    private static BgrImage noise(int width, int height) {
        byte[] pixels = new byte[width * height * 3];
        RANDOM.nextBytes(pixels);
        return new BgrImage(pixels, width, height);
    }
}
