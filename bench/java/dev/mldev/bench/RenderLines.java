package dev.mldev.bench;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Renders text lines as PNGs (black sans-serif on white): RenderLines DIR COUNT [WIDTHxHEIGHT]. */
public final class RenderLines {
    static final String[] WORDS = {
        "Scale", "to", "zero", "GPU", "idle", "costs", "nothing", "2026", "invoice", "No.", "4711", "total:", "42.50",
        "EUR", "Berlin", "model", "batch", "ok?", "serve", "predict"
    };

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        int count = Integer.parseInt(args[1]);
        int[] size = args.length > 2 ? parseSize(args[2]) : null;
        for (int i = 0; i < count; i++) {
            String text = WORDS[i % WORDS.length] + " " + WORDS[(i * 7 + 3) % WORDS.length] + " " + (i * 37 % 1000);
            ImageIO.write(render(text, size), "png", new File(dir.toFile(), String.format("line-%03d.png", i)));
        }
    }

    static int[] parseSize(String text) {
        String[] parts = text.split("x");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    static BufferedImage render(String text, int[] size) {
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 40);
        FontMetrics metrics = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB)
                .createGraphics()
                .getFontMetrics(font);
        int width = size != null ? size[0] : metrics.stringWidth(text) + 20;
        int height = size != null ? size[1] : metrics.getHeight() + 8;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(font);
        g.drawString(text, 10, (height - metrics.getHeight()) / 2 + metrics.getAscent());
        g.dispose();
        return image;
    }

    private RenderLines() {}
}
