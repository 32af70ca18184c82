package org.amused4j.shapes;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The largest 4-connected region of a pixel mask, with the geometry the evaluator judges: area, centroid (of
 * pixel centres), bounding box, fill ratio and vertical balance.
 */
record Blob(int[] pixels, double centroidX, double centroidY, int minX, int minY, int maxX, int maxY) {

    int area() {
        return pixels.length;
    }

    /** Area over bounding-box area: square 1, circle ~π/4, cross and triangle ~0.5–0.6. */
    double fill() {
        return area() / (double) ((maxX - minX + 1) * (maxY - minY + 1));
    }

    /**
     * How far the centroid lies below the middle of the bounding box, in box heights: 0 for the up-down symmetric
     * shapes, about +1/6 for a triangle pointing up (its mass is in its lower part).
     */
    double drop() {
        return (centroidY - (minY + maxY + 1) / 2.0) / (maxY - minY + 1);
    }

    /** The largest region (the first in row-major order on a tie), or null when the mask is empty. */
    static Blob largest(boolean[] mask, int width, int height) {
        int[] label = new int[mask.length]; // 0 = not visited
        int[] best = new int[0];
        int next = 1;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        int[] region = new int[mask.length];
        for (int start = 0; start < mask.length; start++) {
            if (!mask[start] || label[start] != 0) {
                continue;
            }
            int size = 0;
            label[start] = next;
            queue.add(start);
            while (!queue.isEmpty()) {
                int p = queue.poll();
                region[size++] = p;
                int x = p % width;
                int y = p / width;
                if (x > 0) visit(p - 1, mask, label, next, queue);
                if (x + 1 < width) visit(p + 1, mask, label, next, queue);
                if (y > 0) visit(p - width, mask, label, next, queue);
                if (y + 1 < height) visit(p + width, mask, label, next, queue);
            }
            if (size > best.length) {
                best = Arrays.copyOf(region, size);
            }
            next++;
        }
        return best.length == 0 ? null : of(best, width);
    }

    private static void visit(int p, boolean[] mask, int[] label, int id, ArrayDeque<Integer> queue) {
        if (mask[p] && label[p] == 0) {
            label[p] = id;
            queue.add(p);
        }
    }

    private static Blob of(int[] pixels, int width) {
        double sumX = 0;
        double sumY = 0;
        int minX = Integer.MAX_VALUE;
        int minY = Integer.MAX_VALUE;
        int maxX = Integer.MIN_VALUE;
        int maxY = Integer.MIN_VALUE;
        for (int p : pixels) {
            int x = p % width;
            int y = p / width;
            sumX += x + 0.5;
            sumY += y + 0.5;
            minX = Math.min(minX, x);
            minY = Math.min(minY, y);
            maxX = Math.max(maxX, x);
            maxY = Math.max(maxY, y);
        }
        return new Blob(pixels, sumX / pixels.length, sumY / pixels.length, minX, minY, maxX, maxY);
    }
}
