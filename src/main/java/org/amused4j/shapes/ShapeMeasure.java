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
 */
record ShapeMeasure(double area, double centroidX, double centroidY) {

    static ShapeMeasure of(ByteImage image, int[] region, Colour colour, Colour background) {
        int width = image.width();
        int[] grown = Blob.dilate(region, width, image.height());
        double area = 0;
        double sumX = 0;
        double sumY = 0;
        for (int p : grown) {
            int x = p % width;
            int y = p / width;
            double c = coverage(image.get(x, y, 0), image.get(x, y, 1), image.get(x, y, 2), background, colour);
            area += c;
            sumX += c * (x + 0.5);
            sumY += c * (y + 0.5);
        }
        return new ShapeMeasure(area, sumX / area, sumY / area);
    }

    /** Whether the region has positive coverage, so a centroid. */
    boolean finite() {
        return area > 0 && Double.isFinite(centroidX) && Double.isFinite(centroidY);
    }

    /** Where a colour projects on the line from {@code from} (0) to {@code to} (1), unclamped. */
    static double coverage(int r, int g, int b, Colour from, Colour to) {
        double dr = to.red() - from.red();
        double dg = to.green() - from.green();
        double db = to.blue() - from.blue();
        return ((r - from.red()) * dr + (g - from.green()) * dg + (b - from.blue()) * db)
                / (dr * dr + dg * dg + db * db);
    }
}
