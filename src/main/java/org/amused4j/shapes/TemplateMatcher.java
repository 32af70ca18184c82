package org.amused4j.shapes;

/**
 * Shape class by geometry, robust to soft edges: the image's coverage map (each pixel's position between the
 * background colour, 0, and the shape colour, 1, clamped) is compared with every shape's own drawing — each kind,
 * both sizes, its box centre moved over a window around the measured centroid — and the kind whose best placement
 * leaves the least squared difference wins.
 *
 * <p>Why not features of the region (fill ratio, skewness): a decoder that softens edges rounds a square's corners
 * and fills a small cross's notches, moving those features towards the circle's, while the drawing that fits best
 * stays the right one — a rounded square still matches the square's corners better than the circle's empty ones.
 * Comparing whole drawings also needs no threshold tuned on the dataset.
 */
final class TemplateMatcher {
    /** How far (px) the box centre is searched from the centroid: the triangle's centroid lies 3.3 px below it. */
    private static final int SEARCH = 4;

    private final int frame;

    TemplateMatcher(int frame) {
        this.frame = frame;
    }

    /**
     * The best-fitting shape.
     *
     * @param coverage row-major frame×frame coverage in [0, 1]
     */
    ShapeKind classify(double[] coverage, double centroidX, double centroidY) {
        double total = 0;
        for (double c : coverage) {
            total += c * c;
        }
        ShapeKind best = null;
        double bestError = Double.MAX_VALUE;
        int cx0 = (int) Math.round(centroidX);
        int cy0 = (int) Math.round(centroidY);
        for (ShapeKind kind : ShapeKind.values()) {
            for (ShapeSize size : ShapeSize.values()) {
                int side = size.side();
                boolean[] drawing = drawing(kind, side);
                for (int cy = cy0 - SEARCH; cy <= cy0 + SEARCH; cy++) {
                    for (int cx = cx0 - SEARCH; cx <= cx0 + SEARCH; cx++) {
                        double error = error(coverage, total, drawing, side, cx - side / 2, cy - side / 2);
                        if (error < bestError) {
                            bestError = error;
                            best = kind;
                        }
                    }
                }
            }
        }
        return best;
    }

    /**
     * Σ (coverage − drawing)² over the frame, from Σ coverage² and the drawing's pixels only: inside the drawing
     * a pixel contributes (c − 1)² instead of c²; outside the frame a drawn pixel costs 1.
     */
    private double error(double[] coverage, double total, boolean[] drawing, int side, int left, int top) {
        double error = total;
        for (int row = 0; row < side; row++) {
            for (int column = 0; column < side; column++) {
                if (!drawing[row * side + column]) {
                    continue;
                }
                int x = left + column;
                int y = top + row;
                if (x < 0 || y < 0 || x >= frame || y >= frame) {
                    error += 1;
                } else {
                    double c = coverage[y * frame + x];
                    error += (c - 1) * (c - 1) - c * c;
                }
            }
        }
        return error;
    }

    private static boolean[] drawing(ShapeKind kind, int side) {
        boolean[] d = new boolean[side * side];
        for (int row = 0; row < side; row++) {
            for (int column = 0; column < side; column++) {
                d[row * side + column] = kind.covers(side, column, row);
            }
        }
        return d;
    }
}
