package org.amused4j.shapes;

import java.util.Locale;

/**
 * The shapes, each drawn inside an s×s pixel box (s even, so the box is centred on a pixel corner). A pixel is
 * part of the shape when its centre is:
 * <ul>
 *   <li>square: anywhere in the box;</li>
 *   <li>circle: within s/2 of the box centre;</li>
 *   <li>triangle (isosceles, apex up, base = box width on the bottom row): in row r (0 = top) within the middle
 *       2·⌈(r+1)/2⌉ columns — a staircase whose apex row is 2 pixels wide, so the shape fills the box's full
 *       height, where sampling the ideal triangle at pixel centres would leave the top row empty;</li>
 *   <li>cross (plus sign): in the horizontal or vertical arm, each arm as long as the box and
 *       {@link #crossArmThickness(int) about a third of it} thick.</li>
 * </ul>
 * No anti-aliasing: a pixel is shape or background, so colours stay exact palette values and the evaluator's
 * areas and centroids are exact on dataset images.
 */
public enum ShapeKind {
    CIRCLE, SQUARE, TRIANGLE, CROSS;

    /** The caption word. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The cross's arm thickness for a box side: the even number nearest side/3 (4 px for small, 8 px for large),
     * even so that the arms are centred on the box like the other shapes.
     */
    public static int crossArmThickness(int side) {
        return 2 * (int) Math.round(side / 6.0);
    }

    /** Whether pixel (column, row) of a side×side box belongs to this shape. */
    public boolean covers(int side, int column, int row) {
        double half = side / 2.0;
        double dx = column + 0.5 - half; // offset of the pixel centre from the box centre
        double dy = row + 0.5 - half;
        return switch (this) {
            case SQUARE -> true;
            case CIRCLE -> dx * dx + dy * dy <= half * half;
            case TRIANGLE -> Math.abs(dx) < (row + 2) / 2;
            case CROSS -> {
                double arm = crossArmThickness(side) / 2.0;
                yield Math.abs(dx) < arm || Math.abs(dy) < arm;
            }
        };
    }
}
