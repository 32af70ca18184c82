package org.amused4j.kernels.grad;

import org.amused4j.kernels.Parallel;

/**
 * A parallel loop over rows that also reduces per-column sums (a bias or norm-weight gradient is the sum of
 * one term per row). Rows are cut into chunks whose size depends only on the row count, each chunk sums into
 * its own double arrays, and the chunks are added up in order: no two threads write the same element, and the
 * result is the same on every run and every thread count.
 */
final class RowChunks {
    /** Bounds the scratch memory: at most this many chunks, each holding one double per column and target. */
    private static final int MAX_CHUNKS = 256;
    private static final int MIN_ROWS_PER_CHUNK = 16;

    private RowChunks() {
    }

    /** The work for rows [from, to): add each column sum's terms into {@code sums[target][column]}. */
    @FunctionalInterface
    interface Body {
        void run(int from, int to, double[][] sums);
    }

    /**
     * Runs {@code body} over [0, rows) and adds the column sums of target t into {@code targets[t]}
     * ({@code cols} floats each); a null target's sums are computed and dropped.
     */
    static void run(int rows, int cols, Body body, float[]... targets) {
        if (rows <= 0) {
            return;
        }
        int perChunk = Math.max(MIN_ROWS_PER_CHUNK, (rows + MAX_CHUNKS - 1) / MAX_CHUNKS);
        int chunks = (rows + perChunk - 1) / perChunk;
        double[][][] partial = new double[chunks][targets.length][cols];
        Parallel.forEach(chunks, c -> body.run(c * perChunk, Math.min(rows, (c + 1) * perChunk), partial[c]));
        for (int t = 0; t < targets.length; t++) {
            float[] target = targets[t];
            if (target == null) {
                continue;
            }
            int ti = t;
            Parallel.forRange(cols, (from, to) -> {
                for (int j = from; j < to; j++) {
                    double total = 0;
                    for (double[][] chunk : partial) {
                        total += chunk[ti][j];
                    }
                    target[j] += (float) total;
                }
            });
        }
    }

    /** {@code target[j] += Σ_rows m[row·cols + j]}: the gradient of a bias broadcast over rows. */
    static void columnSums(float[] m, int rows, int cols, float[] target) {
        run(rows, cols, (from, to, sums) -> {
            double[] s = sums[0];
            for (int r = from; r < to; r++) {
                int base = r * cols;
                for (int j = 0; j < cols; j++) {
                    s[j] += m[base + j];
                }
            }
        }, target);
    }
}
