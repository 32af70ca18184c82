package org.amused4j.tensor;

/**
 * Matrix transposes for layout changes (NCHW ↔ token-major activations, the sampler's vocabulary-first logits).
 * Done in square blocks: a plain row-by-row transpose writes each value to a new cache line (and, at the
 * sampler's 8192-float rows, a new page), which made it slower than its size suggests.
 */
public final class Transpose {
    /** Block side: a block's rows (read) and columns (written) stay in L1 while it is copied. */
    private static final int BLOCK = 32;

    private Transpose() {
    }

    /** Transposes each of {@code batch} consecutive [rows, cols] matrices of src into [cols, rows] in dst. */
    public static void batched(float[] src, float[] dst, int batch, int rows, int cols) {
        long plane = (long) rows * cols;
        for (int n = 0; n < batch; n++) {
            int base = (int) (n * plane);
            for (int r0 = 0; r0 < rows; r0 += BLOCK) {
                int r1 = Math.min(rows, r0 + BLOCK);
                for (int c0 = 0; c0 < cols; c0 += BLOCK) {
                    int c1 = Math.min(cols, c0 + BLOCK);
                    for (int c = c0; c < c1; c++) {
                        int to = base + c * rows;
                        for (int r = r0; r < r1; r++) {
                            dst[to + r] = src[base + r * cols + c];
                        }
                    }
                }
            }
        }
    }
}
