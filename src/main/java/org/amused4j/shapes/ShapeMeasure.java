package org.amused4j.shapes;

import org.amused4j.image.ByteImage;

/**
 * The geometry of a shape region measured with soft coverage: each pixel counts by where its colour lies between
 * the background (0) and the shape colour (1), unclamped — so blurred edges count by how much of the shape they
 * hold and zero-mean noise averages out instead of piling up. Sums run over the shape region grown by a pixel,
 * which takes in the blurred rim and any specks or holes along the edge.
 *
 * @param area      summed coverage, in pixels
 * @param centroidX coverage-weighted mean of the pixel-centre x
 * @param centroidY same for y
 * @param fill      area over (largest column sum × largest row sum): a bounding-box fill ratio whose box sides
 *                  are the shape's tallest column and widest row, which a stray pixel cannot stretch — square 1,
 *                  circle ~π/4, cross ~0.56–0.6, triangle ~0.55–0.58
 * @param skew      skewness of the coverage along y: 0 for the up-down symmetric shapes, clearly negative for a
 *                  triangle pointing up (its mass is in its lower part; y grows downwards)
 */
record ShapeMeasure(double area, double centroidX, double centroidY, double fill, double skew) {

    static ShapeMeasure of(ByteImage image, int[] region, Colour colour, Colour background) {
        int width = image.width();
        int[] grown = Blob.dilate(region, width, image.height());
        double[] columns = new double[width];
        double[] rows = new double[image.height()];
        double area = 0;
        double sumX = 0;
        double sumY = 0;
        double[] coverage = new double[grown.length];
        for (int i = 0; i < grown.length; i++) {
            int x = grown[i] % width;
            int y = grown[i] / width;
            double c = coverage(image.get(x, y, 0), image.get(x, y, 1), image.get(x, y, 2), background, colour);
            coverage[i] = c;
            columns[x] += c;
            rows[y] += c;
            area += c;
            sumX += c * (x + 0.5);
            sumY += c * (y + 0.5);
        }
        double meanY = sumY / area;
        double m2 = 0;
        double m3 = 0;
        for (int i = 0; i < grown.length; i++) {
            double d = grown[i] / width + 0.5 - meanY;
            m2 += coverage[i] * d * d;
            m3 += coverage[i] * d * d * d;
        }
        m2 /= area;
        m3 /= area;
        return new ShapeMeasure(area, sumX / area, meanY, area / (max(columns) * max(rows)),
                m3 / Math.pow(m2, 1.5));
    }

    /**
     * Whether every feature is a number: a region with no positive coverage or no vertical extent (a one-pixel line
     * on a clean background) has no centroid or no skewness.
     */
    boolean finite() {
        return area > 0 && Double.isFinite(centroidX) && Double.isFinite(centroidY) && Double.isFinite(fill)
                && Double.isFinite(skew);
    }

    /** Where a colour projects on the line from {@code from} (0) to {@code to} (1), unclamped. */
    static double coverage(int r, int g, int b, Colour from, Colour to) {
        double dr = to.red() - from.red();
        double dg = to.green() - from.green();
        double db = to.blue() - from.blue();
        return ((r - from.red()) * dr + (g - from.green()) * dg + (b - from.blue()) * db)
                / (dr * dr + dg * dg + db * db);
    }

    /**
     * The largest value of a profile smoothed with [1 2 1]/4: the maximum of raw sums would pick the column where
     * noise happens to add most; averaging with the neighbours cuts that upward bias (the references are measured
     * the same way, so the shapes' own profiles may change).
     */
    private static double max(double[] profile) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < profile.length; i++) {
            double left = i > 0 ? profile[i - 1] : 0;
            double right = i + 1 < profile.length ? profile[i + 1] : 0;
            m = Math.max(m, (left + 2 * profile[i] + right) / 4);
        }
        return m;
    }
}
