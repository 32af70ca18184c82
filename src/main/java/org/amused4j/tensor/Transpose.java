package org.amused4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix transposes: layout changes (NCHW ↔ token-major activations, the sampler's vocabulary-first logits) and the
 * GEMM's packing of transposed operands.
 *
 * <p>Where the machine has 16-float vectors, 16 × 16 blocks go through registers: sixteen rows are loaded as
 * vectors and interleaved four times, each round pairing row i with row i + 8 and writing their zipped low and
 * high halves as rows 2i and 2i + 1 (one two-vector {@code selectFrom} each), which moves one bit of the column
 * index into the row index; after four rounds rows and columns have traded places, and each destination row is
 * written a whole vector at a time. Packing a 32-column GEMM panel this way took 0.15 ns per value in cache
 * against 0.62 for one float per destination row (BENCHMARKS.md). What is left over (edges, other vector sizes) is
 * copied in 32 × 32 blocks, so a block's rows (read) and columns (written) stay in L1: a plain row-by-row
 * transpose writes each value to a new cache line (and, at the sampler's 8192-float rows, a new page).
 */
public final class Transpose {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int BLOCK = 16;
    private static final int HALF = BLOCK / 2;
    private static final boolean REGISTER_BLOCKS = S.length() == BLOCK;
    /** Lane i takes lane i/2 of the first vector (i even) or of the second (i odd): the zipped low halves. */
    private static final FloatVector ZIP_LOW = zipIndexes(0);
    /** The same over the high halves. */
    private static final FloatVector ZIP_HIGH = zipIndexes(BLOCK / 2);
    /** Side of the cache blocks of the scalar copy. */
    private static final int CACHE_BLOCK = 32;

    private Transpose() {
    }

    /** Transposes each of {@code batch} consecutive [rows, cols] matrices of src into [cols, rows] in dst. */
    public static void batched(float[] src, float[] dst, int batch, int rows, int cols) {
        long plane = (long) rows * cols;
        for (int n = 0; n < batch; n++) {
            int base = (int) (n * plane);
            strided(src, base, cols, rows, cols, dst, base, rows);
        }
    }

    /** dst[dstOff + c·ldDst + r] = src[srcOff + r·ldSrc + c] for r &lt; rows, c &lt; cols. */
    public static void strided(float[] src, int srcOff, int ldSrc, int rows, int cols, float[] dst, int dstOff,
                               int ldDst) {
        int r0 = 0;
        if (REGISTER_BLOCKS) {
            for (; r0 + BLOCK <= rows; r0 += BLOCK) {
                int c0 = 0;
                for (; c0 + BLOCK <= cols; c0 += BLOCK) {
                    block(src, srcOff + r0 * ldSrc + c0, ldSrc, dst, dstOff + c0 * ldDst + r0, ldDst);
                }
                scalar(src, srcOff + r0 * ldSrc, ldSrc, BLOCK, c0, cols, dst, dstOff + r0, ldDst);
            }
        }
        if (REGISTER_BLOCKS && rows - r0 == HALF && ldDst == HALF) {
            // Eight rows into a dense 8-wide destination (the GEMM's A panels): 8 × 16 blocks, each written as
            // eight whole vectors of two destination rows.
            int c0 = 0;
            for (; c0 + BLOCK <= cols; c0 += BLOCK) {
                halfBlock(src, srcOff + r0 * ldSrc + c0, ldSrc, dst, dstOff + c0 * HALF + r0);
            }
            scalar(src, srcOff + r0 * ldSrc, ldSrc, HALF, c0, cols, dst, dstOff + r0, ldDst);
            return;
        }
        scalar(src, srcOff + r0 * ldSrc, ldSrc, rows - r0, 0, cols, dst, dstOff + r0, ldDst);
    }

    /** Columns [c0, c1) of the given rows, in cache blocks. */
    private static void scalar(float[] src, int srcOff, int ldSrc, int rows, int c0, int c1, float[] dst,
                               int dstOff, int ldDst) {
        for (int rb = 0; rb < rows; rb += CACHE_BLOCK) {
            int re = Math.min(rows, rb + CACHE_BLOCK);
            for (int cb = c0; cb < c1; cb += CACHE_BLOCK) {
                int ce = Math.min(c1, cb + CACHE_BLOCK);
                for (int c = cb; c < ce; c++) {
                    int to = dstOff + c * ldDst;
                    for (int r = rb; r < re; r++) {
                        dst[to + r] = src[srcOff + r * ldSrc + c];
                    }
                }
            }
        }
    }

    private static void block(float[] s, int o, int ld, float[] d, int p, int ldd) {
        FloatVector v0 = FloatVector.fromArray(S, s, o);
        FloatVector v1 = FloatVector.fromArray(S, s, o + ld);
        FloatVector v2 = FloatVector.fromArray(S, s, o + 2 * ld);
        FloatVector v3 = FloatVector.fromArray(S, s, o + 3 * ld);
        FloatVector v4 = FloatVector.fromArray(S, s, o + 4 * ld);
        FloatVector v5 = FloatVector.fromArray(S, s, o + 5 * ld);
        FloatVector v6 = FloatVector.fromArray(S, s, o + 6 * ld);
        FloatVector v7 = FloatVector.fromArray(S, s, o + 7 * ld);
        FloatVector v8 = FloatVector.fromArray(S, s, o + 8 * ld);
        FloatVector v9 = FloatVector.fromArray(S, s, o + 9 * ld);
        FloatVector v10 = FloatVector.fromArray(S, s, o + 10 * ld);
        FloatVector v11 = FloatVector.fromArray(S, s, o + 11 * ld);
        FloatVector v12 = FloatVector.fromArray(S, s, o + 12 * ld);
        FloatVector v13 = FloatVector.fromArray(S, s, o + 13 * ld);
        FloatVector v14 = FloatVector.fromArray(S, s, o + 14 * ld);
        FloatVector v15 = FloatVector.fromArray(S, s, o + 15 * ld);
        for (int round = 0; round < 4; round++) {
            FloatVector z0 = ZIP_LOW.selectFrom(v0, v8);
            FloatVector z1 = ZIP_HIGH.selectFrom(v0, v8);
            FloatVector z2 = ZIP_LOW.selectFrom(v1, v9);
            FloatVector z3 = ZIP_HIGH.selectFrom(v1, v9);
            FloatVector z4 = ZIP_LOW.selectFrom(v2, v10);
            FloatVector z5 = ZIP_HIGH.selectFrom(v2, v10);
            FloatVector z6 = ZIP_LOW.selectFrom(v3, v11);
            FloatVector z7 = ZIP_HIGH.selectFrom(v3, v11);
            FloatVector z8 = ZIP_LOW.selectFrom(v4, v12);
            FloatVector z9 = ZIP_HIGH.selectFrom(v4, v12);
            FloatVector z10 = ZIP_LOW.selectFrom(v5, v13);
            FloatVector z11 = ZIP_HIGH.selectFrom(v5, v13);
            FloatVector z12 = ZIP_LOW.selectFrom(v6, v14);
            FloatVector z13 = ZIP_HIGH.selectFrom(v6, v14);
            FloatVector z14 = ZIP_LOW.selectFrom(v7, v15);
            FloatVector z15 = ZIP_HIGH.selectFrom(v7, v15);
            v0 = z0;
            v1 = z1;
            v2 = z2;
            v3 = z3;
            v4 = z4;
            v5 = z5;
            v6 = z6;
            v7 = z7;
            v8 = z8;
            v9 = z9;
            v10 = z10;
            v11 = z11;
            v12 = z12;
            v13 = z13;
            v14 = z14;
            v15 = z15;
        }
        v0.intoArray(d, p);
        v1.intoArray(d, p + ldd);
        v2.intoArray(d, p + 2 * ldd);
        v3.intoArray(d, p + 3 * ldd);
        v4.intoArray(d, p + 4 * ldd);
        v5.intoArray(d, p + 5 * ldd);
        v6.intoArray(d, p + 6 * ldd);
        v7.intoArray(d, p + 7 * ldd);
        v8.intoArray(d, p + 8 * ldd);
        v9.intoArray(d, p + 9 * ldd);
        v10.intoArray(d, p + 10 * ldd);
        v11.intoArray(d, p + 11 * ldd);
        v12.intoArray(d, p + 12 * ldd);
        v13.intoArray(d, p + 13 * ldd);
        v14.intoArray(d, p + 14 * ldd);
        v15.intoArray(d, p + 15 * ldd);
    }

    /**
     * Eight rows of 16 values into 16 rows of 8 stored back to back: three zip rounds (row i with row i + 4) move
     * the column index's three high bits into the vector index, leaving vector j with columns 2j and 2j + 1.
     */
    private static void halfBlock(float[] s, int o, int ld, float[] d, int p) {
        FloatVector v0 = FloatVector.fromArray(S, s, o);
        FloatVector v1 = FloatVector.fromArray(S, s, o + ld);
        FloatVector v2 = FloatVector.fromArray(S, s, o + 2 * ld);
        FloatVector v3 = FloatVector.fromArray(S, s, o + 3 * ld);
        FloatVector v4 = FloatVector.fromArray(S, s, o + 4 * ld);
        FloatVector v5 = FloatVector.fromArray(S, s, o + 5 * ld);
        FloatVector v6 = FloatVector.fromArray(S, s, o + 6 * ld);
        FloatVector v7 = FloatVector.fromArray(S, s, o + 7 * ld);
        for (int round = 0; round < 3; round++) {
            FloatVector z0 = ZIP_LOW.selectFrom(v0, v4);
            FloatVector z1 = ZIP_HIGH.selectFrom(v0, v4);
            FloatVector z2 = ZIP_LOW.selectFrom(v1, v5);
            FloatVector z3 = ZIP_HIGH.selectFrom(v1, v5);
            FloatVector z4 = ZIP_LOW.selectFrom(v2, v6);
            FloatVector z5 = ZIP_HIGH.selectFrom(v2, v6);
            FloatVector z6 = ZIP_LOW.selectFrom(v3, v7);
            FloatVector z7 = ZIP_HIGH.selectFrom(v3, v7);
            v0 = z0;
            v1 = z1;
            v2 = z2;
            v3 = z3;
            v4 = z4;
            v5 = z5;
            v6 = z6;
            v7 = z7;
        }
        v0.intoArray(d, p);
        v1.intoArray(d, p + BLOCK);
        v2.intoArray(d, p + 2 * BLOCK);
        v3.intoArray(d, p + 3 * BLOCK);
        v4.intoArray(d, p + 4 * BLOCK);
        v5.intoArray(d, p + 5 * BLOCK);
        v6.intoArray(d, p + 6 * BLOCK);
        v7.intoArray(d, p + 7 * BLOCK);
    }

    /** Two-vector selectFrom indexes (lanes ≥ 16 pick from the second vector) zipping from lane {@code from}. */
    private static FloatVector zipIndexes(int from) {
        if (!REGISTER_BLOCKS) {
            return null;
        }
        float[] indexes = new float[BLOCK];
        for (int i = 0; i < BLOCK; i++) {
            indexes[i] = from + i / 2 + (i % 2) * BLOCK;
        }
        return FloatVector.fromArray(S, indexes, 0);
    }
}
