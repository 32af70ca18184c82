package org.amused4j.shapes;

/** The palette of the shapes dataset, used both for shapes and for backgrounds. */
public enum Colour {
    RED(220, 40, 40),
    GREEN(40, 180, 60),
    BLUE(40, 80, 220),
    YELLOW(240, 220, 40),
    PURPLE(140, 60, 190),
    ORANGE(245, 140, 30),
    WHITE(245, 245, 245),
    BLACK(20, 20, 20);

    private final int r;
    private final int g;
    private final int b;

    Colour(int r, int g, int b) {
        this.r = r;
        this.g = g;
        this.b = b;
    }

    /** The caption word. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public int red() {
        return r;
    }

    public int green() {
        return g;
    }

    public int blue() {
        return b;
    }

    /** Squared RGB distance to a colour. */
    public int distance2(int red, int green, int blue) {
        int dr = red - r;
        int dg = green - g;
        int db = blue - b;
        return dr * dr + dg * dg + db * db;
    }

    /** The palette colour closest to an RGB value (the first in declaration order on a tie). */
    public static Colour nearest(int red, int green, int blue) {
        Colour best = RED;
        int bestDistance = Integer.MAX_VALUE;
        for (Colour c : values()) {
            int d = c.distance2(red, green, blue);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }
}
