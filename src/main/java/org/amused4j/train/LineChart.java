package org.amused4j.train;

import org.amused4j.image.ByteImage;
import org.amused4j.image.ImageFiles;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small line chart written as PNG, for the training logs committed beside a trained model (loss curves, codebook
 * usage): one or more series over a shared x axis, optionally with a log-scaled y axis, drawn with Java2D.
 */
public final class LineChart {
    private static final int WIDTH = 720;
    private static final int HEIGHT = 400;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final Color[] COLOURS = {new Color(31, 119, 180), new Color(214, 39, 40),
            new Color(44, 160, 44), new Color(255, 127, 14), new Color(148, 103, 189)};

    private record Series(String name, double[] x, double[] y) {
    }

    private final String title;
    private final String xLabel;
    private final boolean logY;
    private final List<Series> series = new ArrayList<>();

    public LineChart(String title, String xLabel, boolean logY) {
        this.title = title;
        this.xLabel = xLabel;
        this.logY = logY;
    }

    /** Adds a series; non-finite values (and, on a log axis, values ≤ 0) are skipped. */
    public LineChart add(String name, double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException(name + ": " + x.length + " x values, " + y.length + " y values");
        }
        series.add(new Series(name, x.clone(), y.clone()));
        return this;
    }

    public void writePng(Path file) {
        ImageFiles.writePng(file, toImage(render()), Map.of("Title", title, "Software", "amused4j"));
    }

    private BufferedImage render() {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        double[] xr = range(true);
        double[] yr = range(false);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i <= 4; i++) {
            int py = TOP + plotH - i * plotH / 4;
            double v = yr[0] + (yr[1] - yr[0]) * i / 4;
            g.setColor(new Color(225, 225, 225));
            g.drawLine(LEFT, py, LEFT + plotW, py);
            g.setColor(Color.DARK_GRAY);
            g.drawString(format(logY ? Math.pow(10, v) : v), 5, py + 4);
            int px = LEFT + i * plotW / 4;
            g.drawString(format(xr[0] + (xr[1] - xr[0]) * i / 4), px - 10, TOP + plotH + 18);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotW, plotH);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, LEFT, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(xLabel + (logY ? "   (log y)" : ""), LEFT + plotW / 2 - 30, HEIGHT - 12);
        g.setStroke(new BasicStroke(1.5f));
        for (int s = 0; s < series.size(); s++) {
            Series se = series.get(s);
            g.setColor(COLOURS[s % COLOURS.length]);
            Path2D.Double line = new Path2D.Double();
            boolean started = false;
            for (int i = 0; i < se.x().length; i++) {
                double y = value(se.y()[i]);
                if (!Double.isFinite(y) || !Double.isFinite(se.x()[i])) {
                    continue;
                }
                double px = LEFT + (se.x()[i] - xr[0]) / (xr[1] - xr[0]) * plotW;
                double py = TOP + plotH - (y - yr[0]) / (yr[1] - yr[0]) * plotH;
                if (started) {
                    line.lineTo(px, py);
                } else {
                    line.moveTo(px, py);
                    started = true;
                }
            }
            g.draw(line);
            g.fillRect(LEFT + plotW - 240, TOP + 10 + 16 * s, 12, 3);
            g.drawString(se.name(), LEFT + plotW - 222, TOP + 15 + 16 * s);
        }
        g.dispose();
        return image;
    }

    private double value(double y) {
        return logY ? (y > 0 ? Math.log10(y) : Double.NaN) : y;
    }

    /** [min, max] over every series (a unit range around a constant), after the log for y. */
    private double[] range(boolean x) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : x ? s.x() : s.y()) {
                double t = x ? v : value(v);
                if (Double.isFinite(t)) {
                    min = Math.min(min, t);
                    max = Math.max(max, t);
                }
            }
        }
        if (!(min < max)) {
            double c = Double.isFinite(min) ? min : 0;
            return new double[] {c - 0.5, c + 0.5};
        }
        return new double[] {min, max};
    }

    private static String format(double v) {
        double a = Math.abs(v);
        return a != 0 && (a < 0.01 || a >= 1e5) ? String.format(Locale.ROOT, "%.1e", v)
                : String.format(Locale.ROOT, a < 10 ? "%.3g" : "%.0f", v);
    }

    private static ByteImage toImage(BufferedImage image) {
        ByteImage out = ByteImage.blank(image.getWidth(), image.getHeight(), 3);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                out.set(x, y, 0, rgb >> 16 & 0xff);
                out.set(x, y, 1, rgb >> 8 & 0xff);
                out.set(x, y, 2, rgb & 0xff);
            }
        }
        return out;
    }
}
