package org.amused4j.shapes;

/**
 * Where the shape's centre is: one of three columns and three rows of a 64×64 image, centred at
 * {@link #CENTRES} px (before the dataset's jitter of at most {@link #MAX_JITTER} px, which together with the
 * largest shape's half-side of 11 px keeps every shape inside the image).
 */
public enum Position {
    TOP_LEFT("top left", 0, 0),
    TOP_CENTER("top center", 1, 0),
    TOP_RIGHT("top right", 2, 0),
    MIDDLE_LEFT("middle left", 0, 1),
    CENTER("center", 1, 1),
    MIDDLE_RIGHT("middle right", 2, 1),
    BOTTOM_LEFT("bottom left", 0, 2),
    BOTTOM_CENTER("bottom center", 1, 2),
    BOTTOM_RIGHT("bottom right", 2, 2);

    /** The centre coordinate of the left/top, middle and right/bottom third, in pixels of a 64-pixel side. */
    static final int[] CENTRES = {13, 32, 51};
    public static final int MAX_JITTER = 2;

    private final String words;
    private final int column;
    private final int row;

    Position(String words, int column, int row) {
        this.words = words;
        this.column = column;
        this.row = row;
    }

    /** The caption words ("top left", "center"). */
    public String words() {
        return words;
    }

    /** Centre x in pixels (of 64), the pixel corner the shape is centred on. */
    public int x() {
        return CENTRES[column];
    }

    /** Centre y in pixels (of 64). */
    public int y() {
        return CENTRES[row];
    }

    /** The position whose centre is nearest a point given in pixels of a 64×64 image. */
    public static Position nearest(double x, double y) {
        int column = nearestCentre(x);
        int row = nearestCentre(y);
        for (Position p : values()) {
            if (p.column == column && p.row == row) {
                return p;
            }
        }
        throw new AssertionError("every column and row pair is a position");
    }

    private static int nearestCentre(double v) {
        int best = 0;
        for (int i = 1; i < CENTRES.length; i++) {
            if (Math.abs(v - CENTRES[i]) < Math.abs(v - CENTRES[best])) {
                best = i;
            }
        }
        return best;
    }
}
