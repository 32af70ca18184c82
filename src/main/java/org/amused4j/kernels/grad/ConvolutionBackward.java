package org.amused4j.kernels.grad;

import org.amused4j.kernels.Kernels;
import org.amused4j.kernels.Parallel;

import java.util.Arrays;

/**
 * Backward of conv2d for one geometry (per image: input [cin, h, w], weight [cout, cin/groups, kh, kw]).
 *
 * <p>Three strategies, like the forward's:
 * <ul>
 *   <li>1×1, stride 1, unpadded: plain matrix products, dW_g += dY_g·X_gᵀ and dX_g += W_gᵀ·dY_g.</li>
 *   <li>one input channel per group (depthwise): direct loops, parallel over groups, each group owning
 *       its input plane and its output channels' weights.</li>
 *   <li>otherwise im2col: for a chunk of output pixels, columns C [cin/groups·kh·kw, pixels] hold the
 *       input each pixel sees; dW_g += dY_g·Cᵀ, and dC = W_gᵀ·dY_g is scattered back into dX (col2im).</li>
 * </ul>
 * A dense stride-1 convolution (the VQ's 3×3 ones) takes dX as a forward convolution instead: dY correlated
 * with the kernel flipped in space and transposed in channels, padded by k − 1 − pad, is exactly dX, and the
 * forward runs it with its fastest algorithm (Winograd) instead of a product and a scatter.
 */
final class ConvolutionBackward {
    /** Bounds the im2col scratch (floats) by processing output pixels in chunks. */
    private static final int MAX_COLUMN_FLOATS = 1 << 22;

    private final int cin;
    private final int h;
    private final int w;
    private final int cout;
    private final int kh;
    private final int kw;
    private final int stride;
    private final int padTop;
    private final int padBottom;
    private final int padLeft;
    private final int padRight;
    private final int groups;
    private final int oh;
    private final int ow;
    private final boolean pointwise;

    ConvolutionBackward(int cin, int h, int w, int cout, int kh, int kw, int stride,
                        int padTop, int padBottom, int padLeft, int padRight, int groups) {
        this.cin = cin;
        this.h = h;
        this.w = w;
        this.cout = cout;
        this.kh = kh;
        this.kw = kw;
        this.stride = stride;
        this.padTop = padTop;
        this.padBottom = padBottom;
        this.padLeft = padLeft;
        this.padRight = padRight;
        this.groups = groups;
        this.oh = (h + padTop + padBottom - kh) / stride + 1;
        this.ow = (w + padLeft + padRight - kw) / stride + 1;
        this.pointwise = kh == 1 && kw == 1 && stride == 1 && padTop == 0 && padBottom == 0 && padLeft == 0
                && padRight == 0;
    }

    void run(float[] x, int n, float[] weight, float[] dY, float[] dX, float[] dW, float[] dB) {
        if (dB != null) {
            biasGradient(n, dY, dB);
        }
        if (dX == null && dW == null) {
            return;
        }
        if (pointwise) {
            pointwise(x, n, weight, dY, dX, dW);
        } else if (cin == groups) {
            depthwise(x, n, weight, dY, dX, dW);
        } else if (dX != null && convolvesBack()) {
            if (dW != null) {
                viaColumns(x, n, weight, dY, null, dW);
            }
            inputGradientByConvolution(n, weight, dY, dX);
        } else {
            viaColumns(x, n, weight, dY, dX, dW);
        }
    }

    /** Stride 1, one group, and no padding wider than the kernel reaches (so k − 1 − pad ≥ 0 on every side). */
    private boolean convolvesBack() {
        return stride == 1 && groups == 1 && Math.max(padTop, padBottom) < kh && Math.max(padLeft, padRight) < kw;
    }

    /** dX += conv(dY, W') with W'[ci, co, ky, kx] = W[co, ci, kh−1−ky, kw−1−kx], padding k − 1 − pad. */
    private void inputGradientByConvolution(int n, float[] weight, float[] dY, float[] dX) {
        int kk = kh * kw;
        float[] flipped = new float[weight.length];
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                for (int k = 0; k < kk; k++) {
                    flipped[(ci * cout + co) * kk + kk - 1 - k] = weight[(co * cin + ci) * kk + k];
                }
            }
        }
        // conv2d overwrites its output and dX accumulates, so the convolution writes a scratch that is then added.
        float[] gradient = new float[n * cin * h * w];
        Kernels kernels = Kernels.get();
        kernels.conv2d(dY, n, cout, oh, ow, flipped, cin, kh, kw, null, 1, kh - 1 - padTop, kh - 1 - padBottom,
                kw - 1 - padLeft, kw - 1 - padRight, 1, gradient);
        int plane = h * w;
        Parallel.forRange(n * cin, (from, to) -> {
            for (int i = from * plane, end = to * plane; i < end; i++) {
                dX[i] += gradient[i];
            }
        });
    }

    private void biasGradient(int n, float[] dY, float[] dB) {
        int ohw = oh * ow;
        Parallel.forRange(cout, (from, to) -> {
            for (int co = from; co < to; co++) {
                double sum = 0;
                for (int b = 0; b < n; b++) {
                    int base = (b * cout + co) * ohw;
                    for (int p = 0; p < ohw; p++) {
                        sum += dY[base + p];
                    }
                }
                dB[co] += (float) sum;
            }
        });
    }

    private void pointwise(float[] x, int n, float[] weight, float[] dY, float[] dX, float[] dW) {
        int hw = h * w;
        int cinG = cin / groups;
        int coutG = cout / groups;
        Kernels kernels = Kernels.get();
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                int wOff = g * coutG * cinG;
                int xOff = (b * cin + g * cinG) * hw;
                int yOff = (b * cout + g * coutG) * hw;
                if (dW != null) {
                    kernels.gemm(false, true, coutG, cinG, hw, 1f, dY, yOff, hw, x, xOff, hw, 1f, dW, wOff, cinG);
                }
                if (dX != null) {
                    kernels.gemm(true, false, cinG, hw, coutG, 1f, weight, wOff, cinG, dY, yOff, hw, 1f, dX, xOff, hw);
                }
            }
        }
    }

    private void depthwise(float[] x, int n, float[] weight, float[] dY, float[] dX, float[] dW) {
        int coutG = cout / groups;
        int kk = kh * kw;
        Parallel.forEach(groups, g -> {
            double[] dWeight = new double[coutG * kk];
            for (int b = 0; b < n; b++) {
                int inPlane = (b * cin + g) * h * w;
                for (int c = 0; c < coutG; c++) {
                    int co = g * coutG + c;
                    int outPlane = (b * cout + co) * oh * ow;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            float wv = weight[co * kk + ky * kw + kx];
                            double sum = 0;
                            for (int oy = 0; oy < oh; oy++) {
                                int iy = oy * stride + ky - padTop;
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int ox = 0; ox < ow; ox++) {
                                    int ix = ox * stride + kx - padLeft;
                                    if (ix < 0 || ix >= w) {
                                        continue;
                                    }
                                    float go = dY[outPlane + oy * ow + ox];
                                    int xi = inPlane + iy * w + ix;
                                    sum += (double) go * x[xi];
                                    if (dX != null) {
                                        dX[xi] += go * wv;
                                    }
                                }
                            }
                            dWeight[c * kk + ky * kw + kx] += sum;
                        }
                    }
                }
            }
            if (dW != null) {
                for (int i = 0; i < coutG * kk; i++) {
                    dW[g * coutG * kk + i] += (float) dWeight[i];
                }
            }
        });
    }

    private void viaColumns(float[] x, int n, float[] weight, float[] dY, float[] dX, float[] dW) {
        int cinG = cin / groups;
        int coutG = cout / groups;
        int depth = cinG * kh * kw;
        int ohw = oh * ow;
        int chunk = Math.max(1, Math.min(ohw, MAX_COLUMN_FLOATS / depth));
        float[] columns = new float[depth * chunk];
        Kernels kernels = Kernels.get();
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                int wOff = g * coutG * depth;
                int xOff = (b * cin + g * cinG) * h * w;
                int yOff = (b * cout + g * coutG) * ohw;
                for (int p0 = 0; p0 < ohw; p0 += chunk) {
                    int pc = Math.min(chunk, ohw - p0);
                    if (dW != null) {
                        im2col(x, xOff, cinG, p0, pc, columns);
                        kernels.gemm(false, true, coutG, depth, pc, 1f, dY, yOff + p0, ohw, columns, 0, pc,
                                1f, dW, wOff, depth);
                    }
                    if (dX != null) {
                        kernels.gemm(true, false, depth, pc, coutG, 1f, weight, wOff, depth, dY, yOff + p0, ohw,
                                0f, columns, 0, pc);
                        col2im(columns, cinG, p0, pc, dX, xOff);
                    }
                }
            }
        }
    }

    /** Row (ci, ky, kx) of the columns: the input each output pixel p0 … p0+pc−1 sees there (0 in the padding). */
    private void im2col(float[] x, int xOff, int cinG, int p0, int pc, float[] columns) {
        int kk = kh * kw;
        Parallel.forRange(cinG * kk, (from, to) -> {
            for (int row = from; row < to; row++) {
                int plane = xOff + row / kk * h * w;
                int ky = row % kk / kw;
                int kx = row % kw;
                int oxFirst = firstInside(kx, padLeft, w);
                int oxEnd = endInside(kx, padLeft, w);
                // One output row at a time: the input row and the in-bounds span are fixed along it.
                for (int p = p0, end = p0 + pc; p < end; ) {
                    int oy = p / ow;
                    int ox0 = p - oy * ow;
                    int n = Math.min(end - p, ow - ox0);
                    int dst = row * pc + p - p0;
                    int iy = oy * stride + ky - padTop;
                    int lo = Math.max(ox0, oxFirst);
                    int hi = Math.min(ox0 + n, oxEnd);
                    if (iy < 0 || iy >= h || lo >= hi) {
                        Arrays.fill(columns, dst, dst + n, 0f);
                    } else {
                        Arrays.fill(columns, dst, dst + lo - ox0, 0f);
                        Arrays.fill(columns, dst + hi - ox0, dst + n, 0f);
                        int src = plane + iy * w + kx - padLeft;
                        if (stride == 1) {
                            System.arraycopy(x, src + lo, columns, dst + lo - ox0, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                columns[dst + ox - ox0] = x[src + ox * stride];
                            }
                        }
                    }
                    p += n;
                }
            }
        });
    }

    /** The first output column whose tap kx reads inside the input (ox·stride + kx − padLeft ≥ 0). */
    private int firstInside(int kx, int padLeft, int width) {
        int need = padLeft - kx;
        return need <= 0 ? 0 : (need + stride - 1) / stride;
    }

    /** One past the last output column whose tap kx reads inside the input (ox·stride + kx − padLeft < width). */
    private int endInside(int kx, int padLeft, int width) {
        int limit = width - 1 + padLeft - kx;
        return limit < 0 ? 0 : Math.min(ow, limit / stride + 1);
    }

    /** The adjoint of {@link #im2col}: adds each column entry into the input pixel it was read from. */
    private void col2im(float[] columns, int cinG, int p0, int pc, float[] dX, int xOff) {
        int kk = kh * kw;
        // Parallel over input channels: all rows of one channel write its plane, so each plane has one writer.
        Parallel.forRange(cinG, (from, to) -> {
            for (int ci = from; ci < to; ci++) {
                int plane = xOff + ci * h * w;
                for (int k = 0; k < kk; k++) {
                    int row = ci * kk + k;
                    int ky = k / kw;
                    int kx = k % kw;
                    int oxFirst = firstInside(kx, padLeft, w);
                    int oxEnd = endInside(kx, padLeft, w);
                    for (int p = p0, end = p0 + pc; p < end; ) {
                        int oy = p / ow;
                        int ox0 = p - oy * ow;
                        int n = Math.min(end - p, ow - ox0);
                        int iy = oy * stride + ky - padTop;
                        if (iy >= 0 && iy < h) {
                            int src = row * pc + p - p0 - ox0;
                            int dst = plane + iy * w + kx - padLeft;
                            for (int ox = Math.max(ox0, oxFirst), hi = Math.min(ox0 + n, oxEnd); ox < hi; ox++) {
                                dX[dst + ox * stride] += columns[src + ox];
                            }
                        }
                        p += n;
                    }
                }
            }
        });
    }

    /**
     * Backward of the kernel-2 stride-2 transposed convolution. Per image the output gradient is gathered
     * into G [(co, ky, kx), pixel] (the inverse of the forward's scatter), then with W as [cin, cout·4]:
     * dX_b += W·G, dW += X_b·Gᵀ, dB[co] += Σ G[(co, ·, ·), ·].
     */
    static void transpose2x2(float[] x, int n, int cin, int h, int w, float[] weight, int cout, float[] dY,
                             float[] dX, float[] dW, float[] dB) {
        int hw = h * w;
        int ow = 2 * w;
        float[] gathered = new float[cout * 4 * hw];
        double[] biasSums = new double[cout];
        Kernels kernels = Kernels.get();
        for (int b = 0; b < n; b++) {
            int outBase = b * cout * 4 * hw;
            Parallel.forRange(cout, (from, to) -> {
                for (int co = from; co < to; co++) {
                    for (int k = 0; k < 4; k++) {
                        int ky = k >> 1;
                        int kx = k & 1;
                        int dst = (co * 4 + k) * hw;
                        for (int iy = 0; iy < h; iy++) {
                            int src = outBase + (co * 2 * h + 2 * iy + ky) * ow + kx;
                            for (int ix = 0; ix < w; ix++) {
                                float g = dY[src + 2 * ix];
                                gathered[dst + iy * w + ix] = g;
                                biasSums[co] += g;
                            }
                        }
                    }
                }
            });
            if (dX != null) {
                kernels.gemm(false, false, cin, hw, cout * 4, 1f, weight, 0, cout * 4, gathered, 0, hw,
                        1f, dX, b * cin * hw, hw);
            }
            if (dW != null) {
                kernels.gemm(false, true, cin, cout * 4, hw, 1f, x, b * cin * hw, hw, gathered, 0, hw,
                        1f, dW, 0, cout * 4);
            }
        }
        if (dB != null) {
            for (int co = 0; co < cout; co++) {
                dB[co] += (float) biasSums[co];
            }
        }
    }
}
