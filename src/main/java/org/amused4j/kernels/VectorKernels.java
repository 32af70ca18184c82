package org.amused4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.amused4j.tensor.Weight;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * The fast backend: Vector API (the platform's widest float vectors) plus {@link Parallel} over the cores.
 * GEMM is the blocked packed {@link Gemm}; attention and most convolutions are expressed as GEMMs; the
 * remaining ops are single vectorized passes parallelized over rows, planes or chunks.
 */
public final class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> S = VectorMath.SPECIES;
    private static final int L = S.length();
    /** Element-wise work below this size is not worth a fork. */
    private static final int MIN_CHUNK = 1 << 14;
    /** Query rows whose attention scores are materialized at once (bounds the [rows, lk] score buffer). */
    private static final int ATTENTION_ROWS = 256;
    /** Elements normalized (and activated) at a time: small enough to stay in L1 between the two steps. */
    private static final int NORM_BLOCK = 2048;
    /** Upper bound on the im2col buffer in floats (64 MiB). */
    private static final int MAX_COLUMNS_FLOATS = 1 << 24;

    private static final ThreadLocal<float[][]> SCORES = ThreadLocal.withInitial(() -> new float[1][0]);

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        Gemm.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void linear(int m, int n, int k, float[] a, int aOff, int lda, Weight w, float beta, float[] c, int cOff,
                       int ldc) {
        Gemm.linear(m, n, k, a, aOff, lda, w, beta, c, cOff, ldc);
    }

    @Override
    public void linears(int m, int k, float[] a, int lda, Weight[] ws, float[][] outs) {
        if (!Gemm.linears(m, k, a, lda, ws, outs)) {
            Kernels.super.linears(m, k, a, lda, ws, outs);
        }
    }

    @Override
    public void multiplyByWeight(int m, int n, int k, float[] a, int aOff, int lda, Weight w, float beta,
                                 float[] c, int cOff, int ldc) {
        Gemm.multiplyByWeight(m, n, k, a, aOff, lda, w, beta, c, cOff, ldc);
    }

    @Override
    public void softmax(float[] x, int off, int rows, int cols) {
        forRows(rows, cols, r -> softmaxRow(x, off + r * cols, cols));
    }

    /** Softmax of x[off..off+len) in place (len ≥ 1). */
    private static void softmaxRow(float[] x, int off, int len) {
        VectorMath.addInPlace(x, off, len, -VectorMath.max(x, off, len));
        VectorMath.exp(x, off, len);
        scaleInPlace(x, off, len, (float) (1.0 / VectorMath.sum(x, off, len)));
    }

    private static void scaleInPlace(float[] x, int off, int len, float factor) {
        int i = 0;
        for (; i <= len - L; i += L) {
            FloatVector.fromArray(S, x, off + i).mul(factor).intoArray(x, off + i);
        }
        for (; i < len; i++) {
            x[off + i] *= factor;
        }
    }

    @Override
    public void layerNorm(float[] x, float[] out, int rows, int cols, float[] weight, float[] bias, float eps) {
        modulatedNorm(x, null, out, rows, cols, true, weight, bias, eps, null, null, 1);
    }

    @Override
    public void rmsNorm(float[] x, float[] out, int rows, int cols, float[] weight, float eps) {
        modulatedNorm(x, null, out, rows, cols, false, weight, null, eps, null, null, 1);
    }

    /**
     * The residual sum, the norm and the modulation of a row while the row is in L1: one pass and one join where
     * the default makes three of each. A null gain (and shift) is the plain norm.
     */
    @Override
    public void modulatedNorm(float[] x, float[] addend, float[] out, int rows, int cols, boolean centred,
                              float[] weight, float[] bias, float eps, float[] gain, float[] shift,
                              int rowsPerImage) {
        forRows(rows, cols, r -> {
            int base = r * cols;
            if (addend != null) {
                addRange(x, addend, base, base + cols);
            }
            float mean = centred ? (float) (VectorMath.sum(x, base, cols) / cols) : 0f;
            double var = VectorMath.sumSquaredDeviations(x, base, cols, mean) / cols;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            normalizeRow(x, out, base, cols, mean, inv, weight, bias, gain, shift, r / rowsPerImage * cols);
        });
    }

    /**
     * out[base+j] = (x[base+j] − mean)·inv·weight[j] + bias[j], then ·gain[g+j] + shift[g+j]; a null weight, bias or
     * gain (with its shift) leaves its step out. The modulation is a multiply then an add, not a fused
     * multiply-add, so that the result is that of the norm followed by a separate modulation.
     */
    private static void normalizeRow(float[] x, float[] out, int base, int cols, float mean, float inv,
                                     float[] weight, float[] bias, float[] gain, float[] shift, int g) {
        int j = 0;
        for (; j <= cols - L; j += L) {
            FloatVector y = FloatVector.fromArray(S, x, base + j).sub(mean).mul(inv);
            if (weight != null) {
                y = y.mul(FloatVector.fromArray(S, weight, j));
            }
            if (bias != null) {
                y = y.add(FloatVector.fromArray(S, bias, j));
            }
            if (gain != null) {
                y = y.mul(FloatVector.fromArray(S, gain, g + j)).add(FloatVector.fromArray(S, shift, g + j));
            }
            y.intoArray(out, base + j);
        }
        for (; j < cols; j++) {
            float y = (x[base + j] - mean) * inv;
            if (weight != null) {
                y *= weight[j];
            }
            if (bias != null) {
                y += bias[j];
            }
            if (gain != null) {
                y = y * gain[g + j] + shift[g + j];
            }
            out[base + j] = y;
        }
    }

    @Override
    public void groupNorm(float[] x, float[] out, int n, int channels, int hw, int groups,
                          float[] weight, float[] bias, float eps) {
        groupNorm(x, out, n, channels, hw, groups, weight, bias, eps, false);
    }

    @Override
    public void groupNormSilu(float[] x, float[] out, int n, int channels, int hw, int groups,
                              float[] weight, float[] bias, float eps) {
        groupNorm(x, out, n, channels, hw, groups, weight, bias, eps, true);
    }

    /** GroupNorm, followed block by block (while the block is in L1) by SiLU when {@code silu}. */
    private static void groupNorm(float[] x, float[] out, int n, int channels, int hw, int groups,
                                  float[] weight, float[] bias, float eps, boolean silu) {
        int perGroup = channels / groups;
        int len = perGroup * hw;
        forRows(n * groups, len, ng -> {
            int g = ng % groups;
            int base = ng * len;
            float mean = (float) (VectorMath.sum(x, base, len) / len);
            double var = VectorMath.sumSquaredDeviations(x, base, len, mean) / len;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            for (int c = 0; c < perGroup; c++) {
                int ch = g * perGroup + c;
                float scale = weight != null ? weight[ch] * inv : inv;
                float shift = (bias != null ? bias[ch] : 0f) - mean * scale;
                for (int b = 0; b < hw; b += NORM_BLOCK) {
                    int off = base + c * hw + b;
                    int blockLen = Math.min(NORM_BLOCK, hw - b);
                    affine(x, out, off, blockLen, scale, shift);
                    if (silu) {
                        VectorMath.timesSigmoid(out, off, blockLen, 1f);
                    }
                }
            }
        });
    }

    /** out = x·scale + shift over [off, off+len). */
    private static void affine(float[] x, float[] out, int off, int len, float scale, float shift) {
        int i = 0;
        for (; i <= len - L; i += L) {
            FloatVector.fromArray(S, x, off + i).fma(scale, shift).intoArray(out, off + i);
        }
        for (; i < len; i++) {
            out[off + i] = Math.fma(x[off + i], scale, shift);
        }
    }

    @Override
    public void gelu(float[] x, int off, int len) {
        inChunks(off, len, (from, to) -> VectorMath.gelu(x, from, to - from));
    }

    /** Rows in parallel (a row is below the size {@link #gelu} would split), each gated in one vector pass. */
    @Override
    public void geglu(float[] z, int rows, int inner, float[] out) {
        forRows(rows, inner, r -> gate(z, r * 2 * inner, inner, out, r * inner, inner));
    }

    /**
     * Each thread gates the two column blocks it has just multiplied while they are in its cache (Gemm.pairedColumns):
     * no [m, 2·inner] product is written, read back or allocated (11.5 MB per amused transformer layer).
     */
    @Override
    public void gegluLinear(int m, int inner, int k, float[] a, int lda, Weight w, float[] out) {
        boolean fused = Gemm.pairedColumns(m, inner, k, a, 0, lda, w, (products, from, width) -> {
            for (int r = 0; r < m; r++) {
                gate(products, r * 2 * width, width, out, r * inner + from, width);
            }
        });
        if (!fused) {
            Kernels.super.gegluLinear(m, inner, k, a, lda, w, out);
        }
    }

    /** out[o + j] = z[value + j]·GELU(z[value + gateShift + j]) for j &lt; n. */
    private static void gate(float[] z, int value, int gateShift, float[] out, int o, int n) {
        System.arraycopy(z, value + gateShift, out, o, n);
        VectorMath.gelu(out, o, n);
        int j = 0;
        for (; j <= n - L; j += L) {
            FloatVector.fromArray(S, out, o + j).mul(FloatVector.fromArray(S, z, value + j)).intoArray(out, o + j);
        }
        for (; j < n; j++) {
            out[o + j] *= z[value + j];
        }
    }

    @Override
    public void quickGelu(float[] x, int off, int len) {
        inChunks(off, len, (from, to) -> VectorMath.timesSigmoid(x, from, to - from, 1.702f));
    }

    @Override
    public void silu(float[] x, int off, int len) {
        inChunks(off, len, (from, to) -> VectorMath.timesSigmoid(x, from, to - from, 1f));
    }

    /** In chunks per thread: a serial 2 MB residual sum left the other core idle (66 of them per amused pass). */
    @Override
    public void add(float[] x, float[] y, int n) {
        inChunks(0, n, (from, to) -> addRange(x, y, from, to));
    }

    /** x[i] += y[i] over [from, to). */
    private static void addRange(float[] x, float[] y, int from, int to) {
        int i = from;
        for (; i <= to - L; i += L) {
            FloatVector.fromArray(S, x, i).add(FloatVector.fromArray(S, y, i)).intoArray(x, i);
        }
        for (; i < to; i++) {
            x[i] += y[i];
        }
    }

    /** Splits [off, off+len) into per-thread ranges that start on a vector boundary (relative to off). */
    static void inChunks(int off, int len, Parallel.RangeBody body) {
        int chunks = Math.max(1, Math.min(Parallel.threads(), len / MIN_CHUNK));
        Parallel.forEach(chunks, part -> {
            int from = off + (int) ((long) len * part / chunks / L * L);
            int to = part == chunks - 1 ? off + len : off + (int) ((long) len * (part + 1) / chunks / L * L);
            body.run(from, to);
        });
    }

    /**
     * Per (batch, head, block of query rows): Sᵀ = scale·K·Qᵀ, keys down and queries across, so the softmax over
     * the keys runs down the columns a vector of queries at a time (no per-row horizontal reductions), and Sᵀ is
     * already the transposed A that the second product packs with contiguous copies. Against scores row by row:
     * attention 256×256 108 → 126–136 GFLOP/s, 256×77 80 → 106–120 GFLOP/s in the amused-256 pass (BENCHMARKS.md).
     */
    @Override
    public void attention(float[] q, int qStride, float[] k, int kStride, float[] v, int vStride, float[] out,
                          int batch, int heads, int lq, int lk, int headDim, boolean causal) {
        int width = heads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int blocks = Gemm.ceilDiv(lq, ATTENTION_ROWS);
        Parallel.forEachTaken(batch * heads * blocks, task -> {
            int bh = task / blocks;
            int b = bh / heads;
            int h = bh % heads;
            int i0 = (task % blocks) * ATTENTION_ROWS;
            int rows = Math.min(ATTENTION_ROWS, lq - i0);
            // Causally, no row of this block sees keys past its last query.
            int keys = causal ? Math.min(lk, i0 + rows) : lk;
            float[] scores = scoreBuffer((keys + 2) * rows);
            int sums = keys * rows;
            int maxima = sums + rows;
            int qOff = (b * lq + i0) * qStride + h * headDim;
            int kOff = b * lk * kStride + h * headDim;
            int vOff = b * lk * vStride + h * headDim;
            int oOff = (b * lq + i0) * width + h * headDim;
            Gemm.gemm(false, true, keys, rows, headDim, scale, k, kOff, kStride, q, qOff, qStride,
                    0f, scores, 0, rows);
            if (causal) {
                // Key j is hidden from the queries before it: e^-∞ = 0.
                for (int j = i0 + 1; j < keys; j++) {
                    Arrays.fill(scores, j * rows, j * rows + Math.min(rows, j - i0), Float.NEGATIVE_INFINITY);
                }
            }
            softmaxColumns(scores, keys, rows, maxima, sums);
            Gemm.gemm(true, false, rows, headDim, keys, 1f, scores, 0, rows, v, vOff, vStride,
                    0f, out, oOff, width);
        });
    }

    /**
     * Softmax down each column of s [keys, cols], using s[maxima ..] and s[sums ..] ({@code cols} floats each) as
     * scratch. Every pass runs along the rows, a vector of columns at a time: walking down the columns with masked
     * vectors instead took ten times as long (110 against 10.5 µs at 256 × 256). The four passes are written out
     * because one helper taking the operator as a parameter is not intrinsified (attention 3× slower, measured).
     */
    private static void softmaxColumns(float[] s, int keys, int cols, int maxima, int sums) {
        System.arraycopy(s, 0, s, maxima, cols);
        for (int j = 1; j < keys; j++) {
            int row = j * cols;
            int c = 0;
            for (; c <= cols - L; c += L) {
                FloatVector.fromArray(S, s, maxima + c).max(FloatVector.fromArray(S, s, row + c))
                        .intoArray(s, maxima + c);
            }
            for (; c < cols; c++) {
                s[maxima + c] = Math.max(s[maxima + c], s[row + c]);
            }
        }
        // Subtract, exponentiate and sum a row at a time, while the row is in L1.
        Arrays.fill(s, sums, sums + cols, 0f);
        for (int j = 0; j < keys; j++) {
            int row = j * cols;
            int c = 0;
            for (; c <= cols - L; c += L) {
                FloatVector.fromArray(S, s, row + c).sub(FloatVector.fromArray(S, s, maxima + c))
                        .intoArray(s, row + c);
            }
            for (; c < cols; c++) {
                s[row + c] -= s[maxima + c];
            }
            VectorMath.exp(s, row, cols);
            c = 0;
            for (; c <= cols - L; c += L) {
                FloatVector.fromArray(S, s, sums + c).add(FloatVector.fromArray(S, s, row + c))
                        .intoArray(s, sums + c);
            }
            for (; c < cols; c++) {
                s[sums + c] += s[row + c];
            }
        }
        for (int c = 0; c < cols; c++) {
            s[sums + c] = 1f / s[sums + c];
        }
        for (int j = 0; j < keys; j++) {
            int row = j * cols;
            int c = 0;
            for (; c <= cols - L; c += L) {
                FloatVector.fromArray(S, s, row + c).mul(FloatVector.fromArray(S, s, sums + c))
                        .intoArray(s, row + c);
            }
            for (; c < cols; c++) {
                s[row + c] *= s[sums + c];
            }
        }
    }

    private static float[] scoreBuffer(int size) {
        float[][] holder = SCORES.get();
        holder[0] = Scratch.atLeast(holder[0], size);
        return holder[0];
    }

    @Override
    public void conv2d(float[] x, int n, int cin, int h, int w, float[] weight, int cout, int kh, int kw,
                       float[] bias, int stride, int padTop, int padBottom, int padLeft, int padRight, int groups,
                       float[] out) {
        ConvGeometry g = new ConvGeometry(cin, h, w, cout, kh, kw, stride, padTop, padBottom, padLeft, padRight,
                groups);
        if (g.cinPerGroup() == 1 && groups > 1) {
            Convolutions.depthwise(x, n, g, weight, bias, out);
        } else if (Winograd.applies(g, n)) {
            Winograd.conv(x, n, g, weight, bias, out);
        } else {
            Convolutions.viaGemm(x, n, g, weight, bias, out, MAX_COLUMNS_FLOATS);
        }
    }

    @Override
    public void convTranspose2x2(float[] x, int n, int cin, int h, int w, float[] weight, int cout, float[] bias,
                                 float[] out) {
        Convolutions.transpose2x2(x, n, cin, h, w, weight, cout, bias, out);
    }

    @Override
    public void upsampleNearest2x(float[] x, int planes, int h, int w, float[] out) {
        int ow = 2 * w;
        Parallel.forRange(planes, (from, to) -> {
            for (int p = from; p < to; p++) {
                for (int y = 0; y < h; y++) {
                    int src = (p * h + y) * w;
                    int dst = (p * 2 * h + 2 * y) * ow;
                    for (int xi = 0; xi < w; xi++) {
                        float val = x[src + xi];
                        out[dst + 2 * xi] = val;
                        out[dst + 2 * xi + 1] = val;
                    }
                    System.arraycopy(out, dst, out, dst + ow, ow);
                }
            }
        });
    }

    @Override
    public void embedding(int[] ids, float[] table, int vocab, int dim, float[] out) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IndexOutOfBoundsException("token id " + ids[i] + " outside vocabulary of " + vocab);
            }
            System.arraycopy(table, ids[i] * dim, out, i * dim, dim);
        }
    }

    /** Runs body(r) for r in [0, rows), in parallel when rows·cols is big enough to be worth it. */
    private static void forRows(int rows, int cols, IntConsumer body) {
        if ((long) rows * cols < MIN_CHUNK) {
            for (int r = 0; r < rows; r++) {
                body.accept(r);
            }
        } else {
            Parallel.forEach(rows, body);
        }
    }
}
