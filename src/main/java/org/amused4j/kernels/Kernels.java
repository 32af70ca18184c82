package org.amused4j.kernels;

import org.amused4j.tensor.Weight;

/**
 * Every numeric operation aMUSEd needs, on raw row-major float arrays. Model code calls these through
 * {@link #get()}; {@link ReferenceKernels} is the plain scalar implementation every faster backend is
 * tested against.
 *
 * <p>Layouts follow PyTorch: images NCHW, sequences [batch, tokens, channels]. Outputs are written into
 * arrays the caller provides, so buffers can be reused across sampling steps. Unless a method says so,
 * input and output must not overlap.
 */
public interface Kernels {

    /** The backend in use; {@code -Damused.kernels=reference} selects the scalar one. */
    static Kernels get() {
        return KernelsHolder.INSTANCE;
    }

    /**
     * BLAS-style GEMM: {@code C = alpha * op(A) * op(B) + beta * C} with op(A) M×K, op(B) K×N, C M×N.
     * {@code transA} means A is stored K×M (row-major, leading dimension lda); likewise {@code transB}
     * means B is stored N×K. With {@code beta == 0} C is overwritten (its old contents, even NaN, ignored).
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
              float beta, float[] c, int cOff, int ldc);

    /**
     * A linear layer's product: {@code C = A·Wᵀ + beta·C} with A M×K (row-major, leading dimension lda) and the
     * weight W [N, K] in whatever storage it has (half-precision weights are widened while they are read, so the
     * result equals {@code gemm(false, true, ...)} on the widened matrix). With {@code beta == 0} C is overwritten.
     */
    default void linear(int m, int n, int k, float[] a, int aOff, int lda, Weight w, float beta,
                        float[] c, int cOff, int ldc) {
        gemm(false, true, m, n, k, 1f, a, aOff, lda, w.toFloat32().data(), 0, k, beta, c, cOff, ldc);
    }

    /**
     * Several linear layers of one input: {@code outs[i] = A·W_iᵀ} for A M×K (leading dimension lda) and weights
     * W_i [N_i, K], each out_i M×N_i (overwritten) — self-attention's Q, K and V of the same tokens. Bit for bit
     * the {@link #linear} of each weight, which is what this default runs.
     */
    default void linears(int m, int k, float[] a, int lda, Weight[] ws, float[][] outs) {
        for (int i = 0; i < ws.length; i++) {
            int n = ws[i].shape()[0];
            linear(m, n, k, a, 0, lda, ws[i], 0f, outs[i], 0, n);
        }
    }

    /**
     * The product with a weight as it is stored: {@code C = A·W + beta·C} with A M×K and W [K, N] in whatever
     * storage it has (widened while read, so the result equals {@code gemm(false, false, ...)} on the widened
     * matrix). A linear layer's input gradient dX = dY·W, computed from a frozen half-precision weight in place.
     */
    default void multiplyByWeight(int m, int n, int k, float[] a, int aOff, int lda, Weight w, float beta,
                                  float[] c, int cOff, int ldc) {
        gemm(false, false, m, n, k, 1f, a, aOff, lda, w.toFloat32().data(), 0, n, beta, c, cOff, ldc);
    }

    /** x[i] += y[i] for i &lt; n: residual sums. */
    default void add(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            x[i] += y[i];
        }
    }

    /** In-place softmax of each of {@code rows} rows of length {@code cols} starting at {@code off}. */
    void softmax(float[] x, int off, int rows, int cols);

    /** LayerNorm over the last dimension; {@code weight} and {@code bias} may be null. In place allowed. */
    void layerNorm(float[] x, float[] out, int rows, int cols, float[] weight, float[] bias, float eps);

    /** RMSNorm over the last dimension: x / sqrt(mean(x²) + eps) * weight; weight may be null. In place allowed. */
    void rmsNorm(float[] x, float[] out, int rows, int cols, float[] weight, float eps);

    /**
     * A transformer layer's adaptive norm after its residual sum, in one pass over the rows of [rows, cols]: first
     * {@code x[r] += addend[r]} (skipped when addend is null), then {@code out[r] = norm(x[r])·gain[i] + shift[i]}
     * with i = r / rowsPerImage the row's image (gain and shift [images, cols]). The norm is {@link #layerNorm} when
     * {@code centred}, else {@link #rmsNorm} (whose bias must be null). Bit for bit those calls one after another,
     * which is what this default makes. In place allowed.
     */
    default void modulatedNorm(float[] x, float[] addend, float[] out, int rows, int cols, boolean centred,
                               float[] weight, float[] bias, float eps, float[] gain, float[] shift,
                               int rowsPerImage) {
        if (addend != null) {
            add(x, addend, rows * cols);
        }
        if (centred) {
            layerNorm(x, out, rows, cols, weight, bias, eps);
        } else {
            rmsNorm(x, out, rows, cols, weight, eps);
        }
        for (int r = 0; r < rows; r++) {
            int image = r / rowsPerImage * cols;
            for (int j = 0; j < cols; j++) {
                out[r * cols + j] = out[r * cols + j] * gain[image + j] + shift[image + j];
            }
        }
    }

    /** GroupNorm of NCHW {@code x} ([n, channels, hw]); weight and bias may be null. In place allowed. */
    void groupNorm(float[] x, float[] out, int n, int channels, int hw, int groups,
                   float[] weight, float[] bias, float eps);

    /**
     * SiLU(GroupNorm(x)), the pre-activation of most convolutions in a VAE: same arguments as
     * {@link #groupNorm}. In place allowed. Backends may fuse the two passes; this default does not.
     */
    default void groupNormSilu(float[] x, float[] out, int n, int channels, int hw, int groups,
                               float[] weight, float[] bias, float eps) {
        groupNorm(x, out, n, channels, hw, groups, weight, bias, eps);
        silu(out, 0, n * channels * hw);
    }

    /** Exact GELU, x·Φ(x) with the error function, in place over [off, off+len). */
    void gelu(float[] x, int off, int len);

    /**
     * GEGLU's gating: {@code out[r, j] = z[r, j] · GELU(z[r, inner + j])} for z [rows, 2·inner] (value half, then
     * gate half) and out [rows, inner]; z is left intact (the backward needs it).
     */
    default void geglu(float[] z, int rows, int inner, float[] out) {
        for (int r = 0; r < rows; r++) {
            int value = r * 2 * inner;
            System.arraycopy(z, value + inner, out, r * inner, inner);
            gelu(out, r * inner, inner);
            for (int j = 0; j < inner; j++) {
                out[r * inner + j] *= z[value + j];
            }
        }
    }

    /**
     * A GEGLU projection without its [m, 2·inner] product: {@code out = geglu(A·Wᵀ)} for A [m, k] (leading
     * dimension lda) and W [2·inner, k], out [m, inner] dense; equal to {@link #linear} into a temporary followed
     * by {@link #geglu}, which is what this default does.
     */
    default void gegluLinear(int m, int inner, int k, float[] a, int lda, Weight w, float[] out) {
        float[] z = new float[m * 2 * inner];
        linear(m, 2 * inner, k, a, 0, lda, w, 0f, z, 0, 2 * inner);
        geglu(z, m, inner, out);
    }

    /** CLIP's quick GELU, x·σ(1.702x), in place. */
    void quickGelu(float[] x, int off, int len);

    /** SiLU, x·σ(x), in place. */
    void silu(float[] x, int off, int len);

    /**
     * Multi-head scaled-dot-product attention. q is [batch, lq, heads*headDim] (row stride qStride),
     * k and v are [batch, lk, heads*headDim] (row strides kStride, vStride), out is
     * [batch, lq, heads*headDim] (dense). Scale 1/sqrt(headDim); {@code causal} lets query i see keys j ≤ i.
     */
    void attention(float[] q, int qStride, float[] k, int kStride, float[] v, int vStride, float[] out,
                   int batch, int heads, int lq, int lk, int headDim, boolean causal);

    /**
     * 2-D cross-correlation of NCHW {@code x} [n, cin, h, w] with {@code weight} [cout, cin/groups, kh, kw],
     * stride s, zero padding (top, bottom, left, right), optional bias [cout]. Output [n, cout, oh, ow]
     * with oh = (h + top + bottom - kh) / s + 1.
     */
    void conv2d(float[] x, int n, int cin, int h, int w, float[] weight, int cout, int kh, int kw,
                float[] bias, int stride, int padTop, int padBottom, int padLeft, int padRight, int groups,
                float[] out);

    /**
     * Transposed convolution with kernel 2, stride 2, no padding: x [n, cin, h, w], weight
     * [cin, cout, 2, 2] (PyTorch's ConvTranspose2d layout), optional bias; out [n, cout, 2h, 2w].
     */
    void convTranspose2x2(float[] x, int n, int cin, int h, int w, float[] weight, int cout, float[] bias,
                          float[] out);

    /** Nearest-neighbour 2x upsampling of NCHW [n*c, h, w] into [n*c, 2h, 2w]. */
    void upsampleNearest2x(float[] x, int planes, int h, int w, float[] out);

    /** Rows {@code ids[i]} of the [vocab, dim] {@code table} into out [ids.length, dim]. */
    void embedding(int[] ids, float[] table, int vocab, int dim, float[] out);

    /** {@link #embedding} from a [vocab, dim] weight in any storage: only the looked-up rows are widened. */
    default void embedding(int[] ids, Weight table, float[] out) {
        int vocab = table.shape()[0];
        int dim = table.shape()[1];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IndexOutOfBoundsException("token id " + ids[i] + " outside vocabulary of " + vocab);
            }
            table.read((long) ids[i] * dim, out, i * dim, dim);
        }
    }
}
