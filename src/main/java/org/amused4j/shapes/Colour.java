package org.amused4j.shapes;

import java.util.List;

/**
 * The colours of the shapes images: the dataset's palette ({@link #GRAMMAR}, used both for shapes and for
 * backgrounds) and {@link #EXTRA} colours that no caption of the dataset names, for teaching a model a new word by
 * fine-tuning (the built-in model's VQ saw them in its training images, its text encoder and transformer did not).
 */
public enum Colour {
    RED(220, 40, 40),
    GREEN(40, 180, 60),
    BLUE(40, 80, 220),
    YELLOW(240, 220, 40),
    PURPLE(140, 60, 190),
    ORANGE(245, 140, 30),
    WHITE(245, 245, 245),
    BLACK(20, 20, 20),
    PINK(250, 130, 200);

    /** The dataset's palette, in the grammar's order. */
    public static final List<Colour> GRAMMAR = List.of(RED, GREEN, BLUE, YELLOW, PURPLE, ORANGE, WHITE, BLACK);
    /** Colours outside the dataset's grammar. */
    public static final List<Colour> EXTRA = List.of(PINK);

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

    /** The colour of {@code palette} closest to an RGB value (the first in the palette's order on a tie). */
    public static Colour nearest(List<Colour> palette, int red, int green, int blue) {
        Colour best = palette.getFirst();
        int bestDistance = Integer.MAX_VALUE;
        for (Colour c : palette) {
            int d = c.distance2(red, green, blue);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }
}
