package org.amused4j.shapes;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.stream.IntStream;

/** Connected regions of a pixel mask. */
final class Blob {
    private Blob() {
    }

    /**
     * The pixel indices (y·width + x) of the largest 4-connected region of the mask (the first in row-major order
     * on a tie); empty when the mask is.
     */
    static int[] largest(boolean[] mask, int width, int height) {
        boolean[] seen = new boolean[mask.length];
        int[] region = new int[mask.length];
        int[] best = new int[0];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int start = 0; start < mask.length; start++) {
            if (!mask[start] || seen[start]) {
                continue;
            }
            int size = 0;
            seen[start] = true;
            queue.add(start);
            while (!queue.isEmpty()) {
                int p = queue.poll();
                region[size++] = p;
                int x = p % width;
                int y = p / width;
                if (x > 0) visit(p - 1, mask, seen, queue);
                if (x + 1 < width) visit(p + 1, mask, seen, queue);
                if (y > 0) visit(p - width, mask, seen, queue);
                if (y + 1 < height) visit(p + width, mask, seen, queue);
            }
            if (size > best.length) {
                best = Arrays.copyOf(region, size);
            }
        }
        return best;
    }

    /** The region grown by one pixel in all 8 directions. */
    static int[] dilate(int[] region, int width, int height) {
        boolean[] grown = new boolean[width * height];
        for (int p : region) {
            int x = p % width;
            int y = p / width;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int nx = x + dx;
                    int ny = y + dy;
                    if (nx >= 0 && ny >= 0 && nx < width && ny < height) {
                        grown[ny * width + nx] = true;
                    }
                }
            }
        }
        return IntStream.range(0, grown.length).filter(i -> grown[i]).toArray();
    }

    private static void visit(int p, boolean[] mask, boolean[] seen, ArrayDeque<Integer> queue) {
        if (mask[p] && !seen[p]) {
            seen[p] = true;
            queue.add(p);
        }
    }
}
