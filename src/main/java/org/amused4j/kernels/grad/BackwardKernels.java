package org.amused4j.kernels.grad;

import org.amused4j.kernels.ActivationGradients;
import org.amused4j.kernels.Kernels;
import org.amused4j.kernels.Parallel;

/**
 * The backward (vector-Jacobian) counterparts of the forward ops of {@link Kernels}, on raw row-major float
 * arrays in the same layouts.
 *
 * <p>Conventions, for every method:
 * <ul>
 *   <li>Arguments are the forward's inputs (in the forward's order, without its output), then the upstream
 *       gradient {@code dOut} (d loss / d forward output, same layout as the output), then the gradient
 *       buffers.</li>
 *   <li>Gradients are <b>accumulated</b> ({@code +=}): a parameter or activation used in several places
 *       simply receives every use's contribution. Callers zero a buffer before its first use.</li>
 *   <li>A null gradient buffer means that gradient is not wanted (a frozen weight, an input that is data);
 *       its work is skipped where that saves anything.</li>
 *   <li>Inputs, including {@code dOut}, are never modified; gradient buffers must not alias inputs.</li>
 *   <li>Work is split over threads so that no two threads write the same gradient element; sums over rows
 *       use fixed chunks, so results do not depend on the thread count.</li>
 * </ul>
 * Matrix products go through {@code Kernels.get().gemm} with {@code beta = 1}, so they accumulate and
 * use the fastest backend.
 */
public final class BackwardKernels {
    private BackwardKernels() {
    }

    // ---- matrix products ------------------------------------------------------------------------------

    /**
     * C = A·B with A [m, k], B [k, n], C [m, n]: dA += dC·Bᵀ, dB += Aᵀ·dC.
     */
    public static void matmul(float[] a, float[] b, int m, int k, int n, float[] dC, float[] dA, float[] dB) {
        if (m == 0 || n == 0 || k == 0) {
            return;
        }
        Kernels kernels = Kernels.get();
        if (dA != null) {
            kernels.gemm(false, true, m, k, n, 1f, dC, 0, n, b, 0, n, 1f, dA, 0, k);
        }
        if (dB != null) {
            kernels.gemm(true, false, k, n, m, 1f, a, 0, k, dC, 0, n, 1f, dB, 0, n);
        }
    }

    /**
     * A linear layer y = x·Wᵀ + b with x [rows, in], W [out, in] (PyTorch's layout), y [rows, out]:
     * dX += dY·W, dW += dYᵀ·X, db += Σ_rows dY.
     */
    public static void linear(float[] x, float[] weight, int rows, int in, int out, float[] dY,
                              float[] dX, float[] dWeight, float[] dBias) {
        if (rows == 0) {
            return;
        }
        Kernels kernels = Kernels.get();
        if (dX != null) {
            kernels.gemm(false, false, rows, in, out, 1f, dY, 0, out, weight, 0, in, 1f, dX, 0, in);
        }
        if (dWeight != null) {
            kernels.gemm(true, false, out, in, rows, 1f, dY, 0, out, x, 0, in, 1f, dWeight, 0, in);
        }
        if (dBias != null) {
            RowChunks.columnSums(dY, rows, out, dBias);
        }
    }

    // ---- softmax and attention ------------------------------------------------------------------------

    /**
     * Row-wise softmax, given its output y [rows, cols]: dX += y ⊙ (dY − Σ_j dY_j·y_j).
     */
    public static void softmax(float[] y, int rows, int cols, float[] dY, float[] dX) {
        Parallel.forRange(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                softmaxRow(y, r * cols, cols, dY, r * cols, dX, r * cols);
            }
        });
    }

    /** One row of {@link #softmax}, rows of y, dY and dX at their own offsets. */
    static void softmaxRow(float[] y, int yOff, int cols, float[] dY, int dyOff, float[] dX, int dxOff) {
        double dot = 0;
        for (int j = 0; j < cols; j++) {
            dot += (double) dY[dyOff + j] * y[yOff + j];
        }
        for (int j = 0; j < cols; j++) {
            dX[dxOff + j] += (float) (y[yOff + j] * (dY[dyOff + j] - dot));
        }
    }

    /**
     * Multi-head scaled-dot-product attention (see {@link Kernels#attention}); dOut is dense
     * [batch, lq, heads·headDim]. dQ, dK, dV have the layouts (row strides) of q, k, v. The attention
     * probabilities are recomputed rather than saved by the forward (see {@link AttentionBackward}).
     */
    public static void attention(float[] q, int qStride, float[] k, int kStride, float[] v, int vStride,
                                 int batch, int heads, int lq, int lk, int headDim, boolean causal,
                                 float[] dOut, float[] dQ, float[] dK, float[] dV) {
        AttentionBackward.run(q, qStride, k, kStride, v, vStride, batch, heads, lq, lk, headDim, causal,
                dOut, dQ, dK, dV);
    }

    // ---- normalizations -------------------------------------------------------------------------------

    /**
     * LayerNorm over the last axis of x [rows, cols] (weight may be null; the bias only matters for dBias).
     * With x̂ = (x − μ)·r, r = 1/√(σ² + eps) and g = dY·w: dX += r·(g − mean(g) − x̂·mean(g·x̂)),
     * dW += Σ_rows dY·x̂, dB += Σ_rows dY.
     */
    public static void layerNorm(float[] x, int rows, int cols, float[] weight, float eps, float[] dY,
                                 float[] dX, float[] dWeight, float[] dBias) {
        RowChunks.run(rows, cols, (from, to, sums) -> {
            double[] xhat = new double[cols];
            for (int r = from; r < to; r++) {
                int base = r * cols;
                double mean = 0;
                for (int j = 0; j < cols; j++) {
                    mean += x[base + j];
                }
                mean /= cols;
                double var = 0;
                for (int j = 0; j < cols; j++) {
                    double d = x[base + j] - mean;
                    var += d * d;
                }
                double inv = 1.0 / Math.sqrt(var / cols + eps);
                double meanG = 0;
                double meanGx = 0;
                for (int j = 0; j < cols; j++) {
                    xhat[j] = (x[base + j] - mean) * inv;
                    double g = weight != null ? (double) dY[base + j] * weight[j] : dY[base + j];
                    meanG += g;
                    meanGx += g * xhat[j];
                    sums[0][j] += dY[base + j] * xhat[j];
                    sums[1][j] += dY[base + j];
                }
                if (dX != null) {
                    meanG /= cols;
                    meanGx /= cols;
                    for (int j = 0; j < cols; j++) {
                        double g = weight != null ? (double) dY[base + j] * weight[j] : dY[base + j];
                        dX[base + j] += (float) (inv * (g - meanG - xhat[j] * meanGx));
                    }
                }
            }
        }, dWeight, dBias);
    }

    /**
     * RMSNorm over the last axis, y = x·r·w with r = 1/√(mean(x²) + eps) (weight may be null):
     * with x̂ = x·r and g = dY·w, dX += r·(g − x̂·mean(g·x̂)), dW += Σ_rows dY·x̂.
     */
    public static void rmsNorm(float[] x, int rows, int cols, float[] weight, float eps, float[] dY,
                               float[] dX, float[] dWeight) {
        RowChunks.run(rows, cols, (from, to, sums) -> {
            for (int r = from; r < to; r++) {
                int base = r * cols;
                double ms = 0;
                for (int j = 0; j < cols; j++) {
                    ms += (double) x[base + j] * x[base + j];
                }
                double inv = 1.0 / Math.sqrt(ms / cols + eps);
                double meanGx = 0;
                for (int j = 0; j < cols; j++) {
                    double xhat = x[base + j] * inv;
                    double g = weight != null ? (double) dY[base + j] * weight[j] : dY[base + j];
                    meanGx += g * xhat;
                    sums[0][j] += dY[base + j] * xhat;
                }
                if (dX != null) {
                    meanGx /= cols;
                    for (int j = 0; j < cols; j++) {
                        double g = weight != null ? (double) dY[base + j] * weight[j] : dY[base + j];
                        dX[base + j] += (float) (inv * (g - x[base + j] * inv * meanGx));
                    }
                }
            }
        }, dWeight);
    }

    /**
     * GroupNorm of NCHW x [n, channels, hw] (weight may be null): per (image, group) the LayerNorm formula
     * over the group's channels·hw elements; dW[c] += Σ dY·x̂, dB[c] += Σ dY over images and pixels.
     * Parallel over groups, each covering all images, so every gradient element has one writer.
     */
    public static void groupNorm(float[] x, int n, int channels, int hw, int groups, float[] weight, float eps,
                                 float[] dY, float[] dX, float[] dWeight, float[] dBias) {
        GroupNormBackward.run(x, n, channels, hw, groups, weight, eps, dY, dX, dWeight, dBias);
    }

    /**
     * ConvNeXt-V2 global response norm on NHWC x [batch, pixels, channels] (as the U-ViT computes it):
     * G = per-channel L2 norm over the pixels, N = G / (mean_c G + 1e-6), y = γ·(x·N) + β + x.
     * With S[c] = Σ_p dY·x and D = mean G + 1e-6: dN = γ·S, dG[c] = dN[c]/D − Σ_k dN[k]·G[k] / (C·D²),
     * dX += dY·(γ·N + 1) + dG·x/G (0 where G = 0, as torch's norm gradient), dγ += Σ dY·x·N, dβ += Σ dY.
     */
    public static void globalResponseNorm(float[] x, int batch, int pixels, int channels, float[] gamma,
                                          float eps, float[] dY, float[] dX, float[] dGamma, float[] dBeta) {
        GlobalResponseNormBackward.run(x, batch, pixels, channels, gamma, eps, dY, dX, dGamma, dBeta);
    }

    // ---- activations ----------------------------------------------------------------------------------

    /** Exact GELU over [off, off+len): dX += dY·(Φ(x) + x·φ(x)). */
    public static void gelu(float[] x, int off, int len, float[] dY, float[] dX) {
        ActivationGradients.gelu(x, off, len, dY, dX);
    }

    /** CLIP's quick GELU x·σ(1.702x) over [off, off+len): dX += dY·(σ(ax) + ax·σ(ax)·(1 − σ(ax))). */
    public static void quickGelu(float[] x, int off, int len, float[] dY, float[] dX) {
        ActivationGradients.quickGelu(x, off, len, dY, dX);
    }

    /** SiLU x·σ(x) over [off, off+len): dX += dY·σ(x)·(1 + x·(1 − σ(x))). */
    public static void silu(float[] x, int off, int len, float[] dY, float[] dX) {
        ActivationGradients.silu(x, off, len, dY, dX);
    }

    /**
     * GEGLU: z [rows, 2·inner] = [value | gate], h [rows, inner] = value ⊙ GELU(gate).
     * dValue += dH·GELU(gate), dGate += dH·value·GELU'(gate), both written into dZ's halves.
     */
    public static void geglu(float[] z, int rows, int inner, float[] dH, float[] dZ) {
        ActivationGradients.geglu(z, rows, inner, dH, dZ);
    }

    // ---- convolutions and resampling ------------------------------------------------------------------

    /**
     * 2-D convolution (see {@link Kernels#conv2d}: stride, asymmetric zero padding, groups): dX, dW
     * [cout, cin/groups, kh, kw] and dB [cout] from dOut [n, cout, oh, ow]. The bias does not enter.
     */
    public static void conv2d(float[] x, int n, int cin, int h, int w, float[] weight, int cout, int kh, int kw,
                              int stride, int padTop, int padBottom, int padLeft, int padRight, int groups,
                              float[] dOut, float[] dX, float[] dWeight, float[] dBias) {
        new ConvolutionBackward(cin, h, w, cout, kh, kw, stride, padTop, padBottom, padLeft, padRight, groups)
                .run(x, n, weight, dOut, dX, dWeight, dBias);
    }

    /**
     * Kernel-2 stride-2 transposed convolution (see {@link Kernels#convTranspose2x2}; weight
     * [cin, cout, 2, 2]): dX, dW, dB from dOut [n, cout, 2h, 2w].
     */
    public static void convTranspose2x2(float[] x, int n, int cin, int h, int w, float[] weight, int cout,
                                        float[] dOut, float[] dX, float[] dWeight, float[] dBias) {
        ConvolutionBackward.transpose2x2(x, n, cin, h, w, weight, cout, dOut, dX, dWeight, dBias);
    }

    /** Nearest 2× upsampling of [planes, h, w]: each input pixel receives the sum of its four copies. */
    public static void upsampleNearest2x(int planes, int h, int w, float[] dOut, float[] dX) {
        int ow = 2 * w;
        Parallel.forRange(planes, (from, to) -> {
            for (int p = from; p < to; p++) {
                for (int iy = 0; iy < h; iy++) {
                    int top = (p * 2 * h + 2 * iy) * ow;
                    int bottom = top + ow;
                    int dst = (p * h + iy) * w;
                    for (int ix = 0; ix < w; ix++) {
                        dX[dst + ix] += dOut[top + 2 * ix] + dOut[top + 2 * ix + 1]
                                + dOut[bottom + 2 * ix] + dOut[bottom + 2 * ix + 1];
                    }
                }
            }
        });
    }

    /**
     * Embedding lookup out[i] = table[ids[i]]: scatter-adds row i of dOut [ids.length, dim] into row ids[i]
     * of dTable [vocab, dim]. Repeated ids sum. Split over the feature columns, so threads never share an
     * element and each row's sum is taken in id order.
     */
    public static void embedding(int[] ids, int vocab, int dim, float[] dOut, float[] dTable) {
        for (int id : ids) {
            if (id < 0 || id >= vocab) {
                throw new IndexOutOfBoundsException("token id " + id + " outside vocabulary of " + vocab);
            }
        }
        Parallel.forRange(dim, (from, to) -> {
            for (int i = 0; i < ids.length; i++) {
                int src = i * dim;
                int dst = ids[i] * dim;
                for (int j = from; j < to; j++) {
                    dTable[dst + j] += dOut[src + j];
                }
            }
        });
    }

    // ---- adaptive modulation --------------------------------------------------------------------------

    /**
     * y = x·(1 + scale[b]) + shift[b] on tokens x [batch, tokens, dim], scale and shift [batch, dim]:
     * dX += dY·(1 + scale), dScale += Σ_tokens dY·x, dShift += Σ_tokens dY.
     */
    public static void modulateTokens(float[] x, int batch, int tokens, int dim, float[] scale, float[] dY,
                                      float[] dX, float[] dScale, float[] dShift) {
        for (int b = 0; b < batch; b++) {
            int image = b;
            Parallel.forRange(dim, (from, to) -> {
                for (int j = from; j < to; j++) {
                    float gain = 1f + scale[image * dim + j];
                    double sumScale = 0;
                    double sumShift = 0;
                    for (int t = 0; t < tokens; t++) {
                        int i = (image * tokens + t) * dim + j;
                        sumScale += (double) dY[i] * x[i];
                        sumShift += dY[i];
                        if (dX != null) {
                            dX[i] += dY[i] * gain;
                        }
                    }
                    addIfWanted(dScale, image * dim + j, sumScale);
                    addIfWanted(dShift, image * dim + j, sumShift);
                }
            });
        }
    }

    /**
     * y = x·(1 + scale[b, c]) + shift[b, c] on an NCHW map x [batch, dim, plane]: as
     * {@link #modulateTokens} with the sums over each channel's plane.
     */
    public static void modulateChannels(float[] x, int batch, int dim, int plane, float[] scale, float[] dY,
                                        float[] dX, float[] dScale, float[] dShift) {
        Parallel.forEach(batch * dim, bc -> {
            float gain = 1f + scale[bc];
            double sumScale = 0;
            double sumShift = 0;
            for (int i = bc * plane; i < (bc + 1) * plane; i++) {
                sumScale += (double) dY[i] * x[i];
                sumShift += dY[i];
                if (dX != null) {
                    dX[i] += dY[i] * gain;
                }
            }
            addIfWanted(dScale, bc, sumScale);
            addIfWanted(dShift, bc, sumShift);
        });
    }

    private static void addIfWanted(float[] grad, int i, double value) {
        if (grad != null) {
            grad[i] += (float) value;
        }
    }
}
