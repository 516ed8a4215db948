package dev.mldev.runtime;

import dev.mldev.Failures;
import dev.mldev.MldevException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes PNG, JPEG, BMP and GIF bytes into 8-bit BGR pixels. Grayscale, 16-bit, palette and alpha images are
 * converted (alpha over white). The declared size is checked before any pixel is decoded, so a small file that
 * claims a huge image (a decompression bomb) is refused cheaply; decoder warnings (a truncated JPEG) are errors.
 */
public final class ImageDecoder {
    /** 50 megapixels: 150 MB of BGR pixels; larger images are refused. */
    public static final long MAX_PIXELS = 50_000_000L;

    static {
        ImageIO.setUseCache(false); // decode in memory, never through temporary files
    }

    private ImageDecoder() {}

    /** 8-bit BGR pixels, tightly packed, row by row. */
    public record BgrImage(byte[] pixels, int width, int height) {}

    /** An image's size as its header declares it. */
    public record Dimensions(int width, int height) {
        public long pixels() {
            return (long) width * height;
        }
    }

    /**
     * The image's size from its header alone, nothing decoded: lets a caller refuse what it cannot afford before
     * any pixel memory is taken. Refuses what {@link #decode} would refuse for its size, and unreadable formats.
     */
    public static Dimensions dimensions(byte[] bytes, String name) {
        return withReader(bytes, name, reader -> checked(reader, name));
    }

    /** @param name the image's name in error messages (a path, or "instance 3") */
    public static BgrImage decode(byte[] bytes, String name) {
        return withReader(bytes, name, reader -> {
            checked(reader, name);
            return toBgr(reader.read(0));
        });
    }

    /**
     * Checks that the whole image decodes, and returns its format as a file extension (png, jpg, gif or bmp): how
     * {@code mldev package --example} stores an example under a name that says what it is.
     */
    public static String decodableFormat(byte[] bytes, String name) {
        return withReader(bytes, name, reader -> {
            checked(reader, name);
            reader.read(0);
            String format = reader.getFormatName().toLowerCase(java.util.Locale.ROOT);
            return format.equals("jpeg") ? "jpg" : format;
        });
    }

    private interface ReaderUse<T> {
        T apply(ImageReader reader) throws IOException;
    }

    private static <T> T withReader(byte[] bytes, String name, ReaderUse<T> use) {
        return Failures.wrapping(
                () -> {
                    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
                        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
                        if (!readers.hasNext()) {
                            throw bad(name, "is not an image mldev can read", "use PNG, JPEG, BMP or GIF");
                        }
                        ImageReader reader = readers.next();
                        try {
                            reader.setInput(in, true, true);
                            reader.addIIOReadWarningListener((source, warning) -> {
                                throw new IllegalStateException(warning);
                            });
                            return use.apply(reader);
                        } finally {
                            reader.dispose();
                        }
                    }
                },
                e -> bad(
                        name,
                        "is damaged or truncated (" + Failures.firstLine(e) + ")",
                        "check the file or export it again"));
    }

    private static Dimensions checked(ImageReader reader, String name) throws IOException {
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
            throw bad(name, "has no pixels (" + width + "x" + height + ")", "check the file");
        }
        if ((long) width * height > MAX_PIXELS) {
            throw bad(
                    name,
                    "declares " + width + "x" + height + " pixels, more than the limit of " + MAX_PIXELS / 1_000_000
                            + " megapixels",
                    "scale the image down first");
        }
        return new Dimensions(width, height);
    }

    private static MldevException bad(String name, String problem, String hint) {
        return MldevException.failure("image " + name + " " + problem, hint);
    }

    static BgrImage toBgr(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        if (isPackedBgr(image)) {
            return new BgrImage(((DataBufferByte) image.getRaster().getDataBuffer()).getData(), width, height);
        }
        if (image.getColorModel() instanceof ComponentColorModel cm && cm.getNumColorComponents() == 1) {
            return grayToBgr(image.getRaster(), cm.hasAlpha(), cm.getComponentSize(0));
        }
        // palette, RGB(A), 16-bit RGB: Java2D converts; alpha is composited over white
        BufferedImage bgr = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = bgr.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        return new BgrImage(((DataBufferByte) bgr.getRaster().getDataBuffer()).getData(), width, height);
    }

    private static boolean isPackedBgr(BufferedImage image) {
        Raster raster = image.getRaster();
        return image.getType() == BufferedImage.TYPE_3BYTE_BGR
                && raster.getSampleModel() instanceof ComponentSampleModel sm
                && sm.getPixelStride() == 3
                && sm.getScanlineStride() == image.getWidth() * 3
                && raster.getSampleModelTranslateX() == 0
                && raster.getSampleModelTranslateY() == 0
                && ((DataBufferByte) raster.getDataBuffer()).getData().length
                        == image.getWidth() * image.getHeight() * 3;
    }

    /**
     * Gray values copied as they are (Java2D would apply a gamma change drawing linear gray into sRGB);
     * 16-bit samples keep their high byte.
     */
    private static BgrImage grayToBgr(Raster raster, boolean alpha, int bits) {
        int width = raster.getWidth();
        int height = raster.getHeight();
        int shift = Math.max(0, bits - 8);
        int max = (1 << bits) - 1;
        byte[] out = new byte[width * height * 3];
        int[] gray = new int[width];
        int[] opacity = new int[width];
        for (int y = 0; y < height; y++) {
            raster.getSamples(0, y, width, 1, 0, gray);
            if (alpha) {
                raster.getSamples(0, y, width, 1, 1, opacity);
            }
            for (int x = 0; x < width; x++) {
                int value = gray[x] >> shift;
                if (alpha) {
                    double a = opacity[x] / (double) max;
                    value = (int) Math.round(value * a + 255 * (1 - a));
                }
                int i = (y * width + x) * 3;
                out[i] = out[i + 1] = out[i + 2] = (byte) value;
            }
        }
        return new BgrImage(out, width, height);
    }
}
