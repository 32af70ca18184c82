package org.amused4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/** conv2d and its transposed 2×2 sibling for {@link VectorKernels}. */
final class Convolutions {
    private static final VectorSpecies<Float> S = VectorMath.SPECIES;
    private static final int L = S.length();

    private Convolutions() {
    }

    /**
     * Dense or grouped convolution as GEMMs: out[group] (coutG × pixels) = W[group] (coutG × cinG·kh·kw) ·
     * columns, where the columns matrix (im2col) is built for a chunk of output pixels at a time so it stays
     * under {@code maxColumnFloats}. A 1×1 unpadded stride-1 convolution uses the input directly.
     */
    static void viaGemm(float[] x, int n, ConvGeometry g, float[] weight, float[] bias, float[] out,
                        int maxColumnFloats) {
        int hw = g.h() * g.w();
        int ohw = g.oh() * g.ow();
        int cinG = g.cinPerGroup();
        int coutG = g.coutPerGroup();
        int depth = cinG * g.kh() * g.kw();
        int chunk = Math.max(1, Math.min(ohw, maxColumnFloats / depth));
        float[] columns = g.pointwise() ? null : new float[depth * chunk];
        float beta = bias != null ? 1f : 0f;
        for (int b = 0; b < n; b++) {
            if (bias != null) {
                fillBias(out, b * g.cout(), ohw, bias);
            }
            for (int gi = 0; gi < g.groups(); gi++) {
                int wOff = gi * coutG * depth;
                int outOff = (b * g.cout() + gi * coutG) * ohw;
                int inOff = (b * g.cin() + gi * cinG) * hw;
                if (g.pointwise()) {
                    Gemm.gemm(false, false, coutG, hw, cinG, 1f, weight, wOff, cinG, x, inOff, hw,
                            beta, out, outOff, ohw);
                    continue;
                }
                for (int p0 = 0; p0 < ohw; p0 += chunk) {
                    int pc = Math.min(chunk, ohw - p0);
                    im2col(x, inOff, g, p0, pc, columns);
                    Gemm.gemm(false, false, coutG, pc, depth, 1f, weight, wOff, depth, columns, 0, pc,
                            beta, out, outOff + p0, ohw);
                }
            }
        }
    }

    /** Sets the image's output planes (starting at plane {@code first}) to their channel's bias. */
    private static void fillBias(float[] out, int first, int len, float[] bias) {
        Parallel.forRange(bias.length, (from, to) -> {
            for (int c = from; c < to; c++) {
                Arrays.fill(out, (first + c) * len, (first + c + 1) * len, bias[c]);
            }
        });
    }

    /**
     * Columns [cinG·kh·kw, pc] for output pixels [p0, p0+pc) of one image's group: row (ci, ky, kx) holds
     * the input each pixel sees through that weight, 0 where it falls in the padding.
     */
    private static void im2col(float[] x, int inOff, ConvGeometry g, int p0, int pc, float[] columns) {
        int kk = g.kh() * g.kw();
        int ow = g.ow();
        int stride = g.stride();
        Parallel.forRange(g.cinPerGroup() * kk, (from, to) -> {
            for (int row = from; row < to; row++) {
                int ci = row / kk;
                int ky = row % kk / g.kw();
                int kx = row % g.kw();
                int lo = g.firstValidColumn(kx);
                int hi = g.endValidColumn(kx);
                int dst = row * pc;
                for (int p = p0; p < p0 + pc; ) {
                    int oy = p / ow;
                    int ox0 = p % ow;
                    int oxEnd = Math.min(ow, ox0 + (p0 + pc - p));
                    int iy = oy * stride + ky - g.padTop();
                    if (iy < 0 || iy >= g.h()) {
                        Arrays.fill(columns, dst, dst + oxEnd - ox0, 0f);
                    } else {
                        int src = inOff + (ci * g.h() + iy) * g.w() + kx - g.padLeft();
                        for (int ox = ox0; ox < oxEnd; ox++) {
                            columns[dst + ox - ox0] = ox >= lo && ox < hi ? x[src + ox * stride] : 0f;
                        }
                    }
                    dst += oxEnd - ox0;
                    p += oxEnd - ox0;
                }
            }
        });
    }

    /**
     * Convolution where every output channel reads one input channel (depthwise, groups == cin). With stride 1
     * each input plane is first copied into a zero-bordered buffer, so that every tap of an output row is one
     * vector load at a fixed offset (the border's zeros add nothing), and four output rows accumulate at once:
     * the U-ViT's 3×3 over 768 channels of 16×16 took 1.1 ms a call as row updates per tap.
     */
    static void depthwise(float[] x, int n, ConvGeometry g, float[] weight, float[] bias, float[] out) {
        if (g.stride() != 1) {
            depthwiseStrided(x, n, g, weight, bias, out);
            return;
        }
        int oh = g.oh();
        int ow = g.ow();
        int kh = g.kh();
        int kw = g.kw();
        int pw = ow + kw - 1;
        int coutG = g.coutPerGroup();
        Parallel.forRange(n * g.cout(), (from, to) -> {
            // Rows of four (zero rows below the plane for the last four) and L spare floats, so that the last
            // row's vector loads stay inside the array where a row is narrower than L.
            float[] padded = new float[(oh + kh - 1 + 3) * pw + L];
            for (int plane = from; plane < to; plane++) {
                int b = plane / g.cout();
                int co = plane % g.cout();
                int inPlane = (b * g.cin() + co / coutG) * g.h() * g.w();
                for (int iy = 0; iy < g.h(); iy++) {
                    System.arraycopy(x, inPlane + iy * g.w(), padded, (iy + g.padTop()) * pw + g.padLeft(), g.w());
                }
                int wOff = co * kh * kw;
                FloatVector start = FloatVector.broadcast(S, bias != null ? bias[co] : 0f);
                for (int ox = 0; ox < ow; ox += L) {
                    VectorMask<Float> m = S.indexInRange(ox, ow);
                    // Four output rows at once: one accumulator would wait on its previous FMA at every tap.
                    for (int oy = 0; oy < oh; oy += 4) {
                        FloatVector acc0 = start;
                        FloatVector acc1 = start;
                        FloatVector acc2 = start;
                        FloatVector acc3 = start;
                        for (int ky = 0; ky < kh; ky++) {
                            int src = (oy + ky) * pw + ox;
                            for (int kx = 0; kx < kw; kx++) {
                                FloatVector wv = FloatVector.broadcast(S, weight[wOff + ky * kw + kx]);
                                acc0 = FloatVector.fromArray(S, padded, src + kx, m).fma(wv, acc0);
                                acc1 = FloatVector.fromArray(S, padded, src + pw + kx, m).fma(wv, acc1);
                                acc2 = FloatVector.fromArray(S, padded, src + 2 * pw + kx, m).fma(wv, acc2);
                                acc3 = FloatVector.fromArray(S, padded, src + 3 * pw + kx, m).fma(wv, acc3);
                            }
                        }
                        int dst = (plane * oh + oy) * ow + ox;
                        acc0.intoArray(out, dst, m);
                        if (oy + 1 < oh) {
                            acc1.intoArray(out, dst + ow, m);
                        }
                        if (oy + 2 < oh) {
                            acc2.intoArray(out, dst + 2 * ow, m);
                        }
                        if (oy + 3 < oh) {
                            acc3.intoArray(out, dst + 3 * ow, m);
                        }
                    }
                }
            }
        });
    }

    /** {@link #depthwise} for strides above 1 (no model here uses one): each output row gathers its taps. */
    private static void depthwiseStrided(float[] x, int n, ConvGeometry g, float[] weight, float[] bias,
                                         float[] out) {
        int oh = g.oh();
        int ow = g.ow();
        int coutG = g.coutPerGroup();
        int stride = g.stride();
        Parallel.forRange(n * g.cout(), (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int b = plane / g.cout();
                int co = plane % g.cout();
                int inPlane = (b * g.cin() + co / coutG) * g.h() * g.w();
                int wOff = co * g.kh() * g.kw();
                for (int oy = 0; oy < oh; oy++) {
                    int dst = (plane * oh + oy) * ow;
                    Arrays.fill(out, dst, dst + ow, bias != null ? bias[co] : 0f);
                    for (int ky = 0; ky < g.kh(); ky++) {
                        int iy = oy * stride + ky - g.padTop();
                        if (iy < 0 || iy >= g.h()) {
                            continue;
                        }
                        for (int kx = 0; kx < g.kw(); kx++) {
                            float wv = weight[wOff + ky * g.kw() + kx];
                            int src = inPlane + iy * g.w() + kx - g.padLeft();
                            for (int ox = g.firstValidColumn(kx); ox < g.endValidColumn(kx); ox++) {
                                out[dst + ox] += wv * x[src + ox * stride];
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * Kernel-2 stride-2 transposed convolution: one GEMM Y[(co,ky,kx), pixel] = Wᵀ·X per image (W is
     * stored [cin, cout·4], hence transA), then each Y row scattered to its interleaved output positions.
     */
    static void transpose2x2(float[] x, int n, int cin, int h, int w, float[] weight, int cout, float[] bias,
                             float[] out) {
        int hw = h * w;
        float[] y = new float[cout * 4 * hw];
        for (int b = 0; b < n; b++) {
            Gemm.gemm(true, false, cout * 4, hw, cin, 1f, weight, 0, cout * 4, x, b * cin * hw, hw,
                    0f, y, 0, hw);
            int outBase = b * cout * 4 * hw;
            Parallel.forRange(cout, (from, to) -> {
                for (int co = from; co < to; co++) {
                    float bv = bias != null ? bias[co] : 0f;
                    for (int k = 0; k < 4; k++) {
                        int ky = k >> 1;
                        int kx = k & 1;
                        int src = (co * 4 + k) * hw;
                        for (int iy = 0; iy < h; iy++) {
                            int dst = outBase + (co * 2 * h + 2 * iy + ky) * 2 * w + kx;
                            for (int ix = 0; ix < w; ix++) {
                                out[dst + 2 * ix] = y[src + iy * w + ix] + bv;
                            }
                        }
                    }
                }
            });
        }
    }
}
