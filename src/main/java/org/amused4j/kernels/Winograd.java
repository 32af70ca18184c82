package org.amused4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Dense 3×3 stride-1 convolution by Winograd's minimal filtering F(4×4, 3×3) (Lavin &amp; Gray, 2016): a 4×4
 * output tile costs 36 multiplies per (input, output) channel pair instead of the direct 144.
 *
 * <p>The image is cut into bands of whole tile rows. Per band, every 6×6 input tile d of every input channel
 * becomes Bᵀ·d·B, giving 36 matrices V[ξ] [cin × tiles]; the weights become the 36 matrices U[ξ] = (G·g·Gᵀ)[ξ]
 * [cout × cin]; 36 matrix products M[ξ] = U[ξ]·V[ξ] do the channel sums; each output tile is Aᵀ·m·A of its 36
 * values. U and V are written by the transforms directly in the layout the register-tile products read (16
 * output channels × L tiles), so the products need no packing (a general {@link Gemm} per ξ spent a third of
 * its time packing and clearing). The products take 8 channels × two groups of L tiles at a time
 * ({@link #product8x2}; a band with an odd number of groups gets a padding one): 10 loads per 16 multiplies
 * instead of 17 made the 512×512 VQ decode ~9 % faster.
 * Bands run in parallel when there are enough of them, otherwise one after the other with the work inside
 * each band (channels, products) split across the cores. The weight transform is redone per call (about 1% of
 * the work at 64×64 and above); its buffer, and the bands' V and M, are kept per thread.
 *
 * <p>Interpolation points 0, 1, −1, 2, −1/2 (and ∞) rather than the textbook 0, ±1, ±2: Bᵀ and Aᵀ stay exact
 * in binary and the float32 error per convolution drops about 3.5× (to roughly 20× that of a direct sum) on
 * unit-variance inputs with 256 channels. The transforms are vectorized across the tiles of a tile row, one
 * vector of L at a time.
 */
final class Winograd {
    private static final VectorSpecies<Float> S = VectorMath.SPECIES;
    private static final int L = S.length();
    /** Output pixels per tile side. */
    static final int TILE = 4;
    /** Input pixels per tile side (TILE + 3 − 1). */
    private static final int SPAN = 6;
    /** Transform positions ξ per tile. */
    private static final int XI = SPAN * SPAN;
    /** Tiles per band: one V[ξ] slab (cin × tiles) stays in L2 while the products sweep it, up to cin ≈ 1024. */
    private static final int BAND_TILES = 256;
    /** Fewest output tiles (n · tile rows · tile columns) for which {@link #applies} chooses Winograd. */
    static final int MIN_TILES = 32;
    /** Output channels per block of the products (the register tile's rows); L divides it. */
    private static final int ROW_BLOCK = 16;

    /** G (6×3) for points 0, 1, −1, 2, −1/2, ∞, scaled so that Bᵀ below has only halves. */
    private static final float[][] G = {
            {1, 0, 0},
            {-1f / 3, -1f / 3, -1f / 3},
            {1f / 3, -1f / 3, 1f / 3},
            {1f / 15, 2f / 15, 4f / 15},
            {-16f / 15, 8f / 15, -4f / 15},
            {0, 0, 1}};
    private static final ThreadLocal<float[][]> WEIGHTS = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<BandBuffers> BANDS = ThreadLocal.withInitial(BandBuffers::new);
    private static final ThreadLocal<RowBuffers> ROWS = ThreadLocal.withInitial(RowBuffers::new);

    private Winograd() {
    }

    /**
     * Whether {@link #conv} computes this convolution (3×3, stride 1, one group, any padding) and is worth it:
     * below MIN_TILES output tiles per call, transforming the weights and streaming U[ξ] through products of a
     * few columns costs more than the multiplies saved (measured with ConvBenchmark, 768 channels: at 16×16
     * Winograd takes 1.6× the time of im2col, at 32×32 about the same; from 64×64 on it is 3–5× faster).
     */
    static boolean applies(ConvGeometry g, int n) {
        return g.kh() == 3 && g.kw() == 3 && g.stride() == 1 && g.groups() == 1
                && (long) n * Gemm.ceilDiv(g.oh(), TILE) * Gemm.ceilDiv(g.ow(), TILE) >= MIN_TILES;
    }

    static void conv(float[] x, int n, ConvGeometry g, float[] weight, float[] bias, float[] out) {
        int th = Gemm.ceilDiv(g.oh(), TILE);
        int tw = Gemm.ceilDiv(g.ow(), TILE);
        float[] u = transformedWeights(weight, g.cout(), g.cin());
        int bandRows = Math.max(1, Math.min(th, BAND_TILES / tw));
        int bandsPerImage = Gemm.ceilDiv(th, bandRows);
        int bands = n * bandsPerImage;
        Band body = band -> {
            int b = band / bandsPerImage;
            int ty0 = band % bandsPerImage * bandRows;
            runBand(x, b, g, u, bias, out, ty0, Math.min(bandRows, th - ty0), tw);
        };
        if (bands >= 2 * Parallel.threads()) {
            // Bands handed out one at a time rather than in fixed halves: a core slowed by other work takes fewer.
            AtomicInteger next = new AtomicInteger();
            Parallel.forEach(Parallel.threads(), worker -> {
                for (int band = next.getAndIncrement(); band < bands; band = next.getAndIncrement()) {
                    body.run(band);
                }
            });
        } else {
            for (int band = 0; band < bands; band++) {
                body.run(band);
            }
        }
    }

    @FunctionalInterface
    private interface Band {
        void run(int band);
    }

    /**
     * Output tile rows [ty0, ty0 + rows) of image b. A tile row is cut into groups of L tiles (the last one
     * padded); V is [ξ][group][cin][L] and M [ξ][group][cout rounded up to 16][L], so that the products read and
     * write whole vectors and need no packing. U is [ξ][cout / 16][cin][16] (see {@link #transformedWeights}).
     */
    private static void runBand(float[] x, int b, ConvGeometry g, float[] u, float[] bias, float[] out,
                                int ty0, int rows, int tw) {
        int cin = g.cin();
        int cout = g.cout();
        int coutPadded = Gemm.ceilDiv(cout, ROW_BLOCK) * ROW_BLOCK;
        int rowGroups = Gemm.ceilDiv(tw, L);
        // The products take groups in pairs; an odd count gets one more group, whose tiles are never written out.
        int groups = rows * rowGroups + (rows * rowGroups) % 2;
        int vSlab = groups * cin * L;
        int mSlab = groups * coutPadded * L;
        BandBuffers buf = BANDS.get();
        float[] v = buf.v(XI * vSlab);
        float[] m = buf.m(XI * mSlab);
        Parallel.forRange(cin, (from, to) -> {
            RowBuffers rb = ROWS.get().sized(tw);
            for (int ci = from; ci < to; ci++) {
                for (int r = 0; r < rows; r++) {
                    inputTile(x, (b * cin + ci) * g.h() * g.w(), g, ty0 + r, tw, rb,
                            v, (r * rowGroups * cin + ci) * L, cin * L, vSlab);
                }
            }
        });
        int blocks = coutPadded / ROW_BLOCK;
        Parallel.forRange(XI * blocks, (from, to) -> {
            for (int job = from; job < to; job++) {
                int xi = job / blocks;
                int block = job % blocks;
                int a = (xi * blocks + block) * cin * ROW_BLOCK;
                for (int group = 0; group < groups; group += 2) {
                    int v0 = xi * vSlab + group * cin * L;
                    int m0 = xi * mSlab + (group * coutPadded + block * ROW_BLOCK) * L;
                    int m1 = m0 + coutPadded * L;
                    product8x2(u, a, v, v0, v0 + cin * L, cin, m, m0, m1);
                    product8x2(u, a + ROW_BLOCK / 2, v, v0, v0 + cin * L, cin, m, m0 + ROW_BLOCK / 2 * L,
                            m1 + ROW_BLOCK / 2 * L);
                }
            }
        });
        Parallel.forRange(cout, (from, to) -> {
            RowBuffers rb = ROWS.get().sized(tw);
            for (int co = from; co < to; co++) {
                float bv = bias != null ? bias[co] : 0f;
                for (int r = 0; r < rows; r++) {
                    outputTile(m, (r * rowGroups * coutPadded + co) * L, coutPadded * L, mSlab, bv, tw, rb);
                    int oy0 = (ty0 + r) * TILE;
                    int plane = (b * cout + co) * g.oh() * g.ow();
                    for (int a = 0; a < TILE && oy0 + a < g.oh(); a++) {
                        System.arraycopy(rb.band, a * tw * TILE, out, plane + (oy0 + a) * g.ow(), g.ow());
                    }
                }
            }
        });
    }

    /**
     * Half of a 16-row block against two groups of L tiles: c_g[r][t] = Σ_k a[k][r]·b_g[k][t] for r < 8, with a
     * read at stride {@link #ROW_BLOCK}. Sixteen accumulators from 8 broadcasts and 2 loads per k, where 16 channels
     * × one group (the former kernel) need 16 broadcasts and 1 load for as many multiplies. The register tile is {@link Gemm}'s; its kernel
     * is not reused because it reads packed panels at fixed strides, and a kernel taking strides cost the GEMM 9 %
     * (BENCHMARKS.md, "Transformer pass").
     */
    private static void product8x2(float[] a, int ai, float[] b, int b0, int b1, int depth, float[] c, int c0i,
                                   int c1i) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        FloatVector c60 = c00;
        FloatVector c61 = c00;
        FloatVector c70 = c00;
        FloatVector c71 = c00;
        for (int k = 0; k < depth; k++) {
            int ak = ai + k * ROW_BLOCK;
            FloatVector x = FloatVector.fromArray(S, b, b0 + k * L);
            FloatVector y = FloatVector.fromArray(S, b, b1 + k * L);
            FloatVector w = FloatVector.broadcast(S, a[ak]);
            c00 = w.fma(x, c00);
            c01 = w.fma(y, c01);
            w = FloatVector.broadcast(S, a[ak + 1]);
            c10 = w.fma(x, c10);
            c11 = w.fma(y, c11);
            w = FloatVector.broadcast(S, a[ak + 2]);
            c20 = w.fma(x, c20);
            c21 = w.fma(y, c21);
            w = FloatVector.broadcast(S, a[ak + 3]);
            c30 = w.fma(x, c30);
            c31 = w.fma(y, c31);
            w = FloatVector.broadcast(S, a[ak + 4]);
            c40 = w.fma(x, c40);
            c41 = w.fma(y, c41);
            w = FloatVector.broadcast(S, a[ak + 5]);
            c50 = w.fma(x, c50);
            c51 = w.fma(y, c51);
            w = FloatVector.broadcast(S, a[ak + 6]);
            c60 = w.fma(x, c60);
            c61 = w.fma(y, c61);
            w = FloatVector.broadcast(S, a[ak + 7]);
            c70 = w.fma(x, c70);
            c71 = w.fma(y, c71);
        }
        c00.intoArray(c, c0i);
        c10.intoArray(c, c0i + L);
        c20.intoArray(c, c0i + 2 * L);
        c30.intoArray(c, c0i + 3 * L);
        c40.intoArray(c, c0i + 4 * L);
        c50.intoArray(c, c0i + 5 * L);
        c60.intoArray(c, c0i + 6 * L);
        c70.intoArray(c, c0i + 7 * L);
        c01.intoArray(c, c1i);
        c11.intoArray(c, c1i + L);
        c21.intoArray(c, c1i + 2 * L);
        c31.intoArray(c, c1i + 3 * L);
        c41.intoArray(c, c1i + 4 * L);
        c51.intoArray(c, c1i + 5 * L);
        c61.intoArray(c, c1i + 6 * L);
        c71.intoArray(c, c1i + 7 * L);
    }

    /**
     * Bᵀ·d·B of the tw tiles of tile row ty of one input channel (plane at xOff), written by vectors of L
     * tiles to v[dst + ξ·slab + group·groupStride]; lanes past tw hold leftovers of earlier rows, which stay in
     * their own lanes and are never written out. The six input rows (zero outside the image) are first dealt
     * out so that each of the 36 tile positions of consecutive tiles is contiguous; both transform passes then
     * run on whole vectors.
     */
    private static void inputTile(float[] x, int xOff, ConvGeometry g, int ty, int tw, RowBuffers rb,
                                  float[] v, int dst, int groupStride, int slab) {
        int width = rb.width;
        float[] in = rb.in;
        Arrays.fill(in, 0, SPAN * width, 0f);
        // Buffer column c holds input column c − padLeft.
        int cols = Math.min(g.w(), width - g.padLeft());
        for (int j = 0; j < SPAN; j++) {
            int iy = ty * TILE - g.padTop() + j;
            if (iy >= 0 && iy < g.h() && cols > 0) {
                System.arraycopy(x, xOff + iy * g.w(), in, j * width + g.padLeft(), cols);
            }
        }
        int stride = rb.stride;
        float[] d = rb.dealt;
        for (int j = 0; j < SPAN; j++) {
            for (int c = 0; c < SPAN; c++) {
                int to = (j * SPAN + c) * stride;
                int from = j * width + c;
                for (int tx = 0; tx < tw; tx++) {
                    d[to + tx] = in[from + TILE * tx];
                }
            }
        }
        float[] e = rb.half;
        for (int tx = 0; tx < tw; tx += L) {
            for (int c = 0; c < SPAN; c++) {
                bt(d, c * stride + tx, SPAN * stride, e, c * L, SPAN * L);
            }
            int group = dst + tx / L * groupStride;
            for (int i = 0; i < SPAN; i++) {
                bt(e, i * SPAN * L, L, v, group + i * SPAN * slab, slab);
            }
        }
    }

    /**
     * The six outputs of Bᵀ·d for the column d_j = src[off + j·step] (vectors), stored at dst[dOff + k·dStep].
     * Bᵀ rows: [1, 3/2, −2, −3/2, 1, 0], [0, −1, −5/2, −1/2, 1, 0], [0, 1, 1/2, −5/2, 1, 0],
     * [0, −1/2, −1, 1/2, 1, 0], [0, 2, −1, −2, 1, 0],
     * [0, 1, 3/2, −2, −3/2, 1].
     */
    private static void bt(float[] src, int off, int step, float[] dst, int dOff, int dStep) {
        FloatVector d0 = FloatVector.fromArray(S, src, off);
        FloatVector d1 = FloatVector.fromArray(S, src, off + step);
        FloatVector d2 = FloatVector.fromArray(S, src, off + 2 * step);
        FloatVector d3 = FloatVector.fromArray(S, src, off + 3 * step);
        FloatVector d4 = FloatVector.fromArray(S, src, off + 4 * step);
        FloatVector d5 = FloatVector.fromArray(S, src, off + 5 * step);
        FloatVector d13 = d1.sub(d3);
        d0.add(d4).add(d13.mul(1.5f)).sub(d2.mul(2f)).intoArray(dst, dOff);
        d4.sub(d1).sub(d3.mul(0.5f)).sub(d2.mul(2.5f)).intoArray(dst, dOff + dStep);
        d4.add(d1).add(d2.mul(0.5f)).sub(d3.mul(2.5f)).intoArray(dst, dOff + 2 * dStep);
        d4.sub(d2).sub(d13.mul(0.5f)).intoArray(dst, dOff + 3 * dStep);
        d4.sub(d2).add(d13.mul(2f)).intoArray(dst, dOff + 4 * dStep);
        d5.add(d1).add(d2.sub(d4).mul(1.5f)).sub(d3.mul(2f)).intoArray(dst, dOff + 5 * dStep);
    }

    /**
     * Aᵀ·m·A + bias of the tw tiles of one output channel whose products sit, L tiles per group, at
     * m[src + ξ·slab + group·groupStride], written as four output rows of 4·tw pixels into rb.band.
     */
    private static void outputTile(float[] m, int src, int groupStride, int slab, float bias, int tw,
                                   RowBuffers rb) {
        float[] half = rb.half;
        float[] quad = rb.quad;
        float[] band = rb.band;
        int rowLen = TILE * tw;
        for (int tx = 0; tx < tw; tx += L) {
            int group = src + tx / L * groupStride;
            for (int j = 0; j < SPAN; j++) {
                at(m, group + j * slab, SPAN * slab, 0f, half, j * L, SPAN * L);
            }
            for (int a = 0; a < TILE; a++) {
                at(half, a * SPAN * L, L, bias, quad, a * TILE * L, L);
            }
            int lanes = Math.min(L, tw - tx);
            for (int a = 0; a < TILE; a++) {
                for (int c = 0; c < TILE; c++) {
                    int from = (a * TILE + c) * L;
                    int to = a * rowLen + TILE * tx + c;
                    for (int lane = 0; lane < lanes; lane++) {
                        band[to + TILE * lane] = quad[from + lane];
                    }
                }
            }
        }
    }

    /**
     * The four outputs of Aᵀ·m + shift for the column m_i = src[off + i·step] (vectors), stored at
     * dst[dOff + k·dStep]. Aᵀ rows: [1, 1, 1, 1, 1, 0], [0, 1, −1, 2, −1/2, 0], [0, 1, 1, 4, 1/4, 0],
     * [0, 1, −1, 8, −1/8, 1].
     */
    private static void at(float[] src, int off, int step, float shift, float[] dst, int dOff, int dStep) {
        FloatVector m0 = FloatVector.fromArray(S, src, off);
        FloatVector m1 = FloatVector.fromArray(S, src, off + step);
        FloatVector m2 = FloatVector.fromArray(S, src, off + 2 * step);
        FloatVector m3 = FloatVector.fromArray(S, src, off + 3 * step);
        FloatVector m4 = FloatVector.fromArray(S, src, off + 4 * step);
        FloatVector m5 = FloatVector.fromArray(S, src, off + 5 * step);
        FloatVector sum = m1.add(m2).add(shift);
        FloatVector diff = m1.sub(m2).add(shift);
        m0.add(sum).add(m3).add(m4).intoArray(dst, dOff);
        diff.add(m3.mul(2f)).sub(m4.mul(0.5f)).intoArray(dst, dOff + dStep);
        sum.add(m3.mul(4f)).add(m4.mul(0.25f)).intoArray(dst, dOff + 2 * dStep);
        diff.add(m3.mul(8f)).sub(m4.mul(0.125f)).add(m5).intoArray(dst, dOff + 3 * dStep);
    }

    /**
     * U = G·g·Gᵀ for every (co, ci), packed for {@link #product8x2} as [ξ][cout / 16][cin][16] (output channels
     * past cout zero), in a per-thread buffer reused across calls.
     */
    private static float[] transformedWeights(float[] weight, int cout, int cin) {
        int blocks = Gemm.ceilDiv(cout, ROW_BLOCK);
        int slab = blocks * cin * ROW_BLOCK;
        float[][] holder = WEIGHTS.get();
        if (holder[0].length < XI * slab) {
            holder[0] = new float[XI * slab];
        }
        float[] u = holder[0];
        Parallel.forRange(blocks * cin, (from, to) -> {
            float[] kernels = new float[9 * ROW_BLOCK];
            float[] gg = new float[SPAN * 3 * L];
            for (int unit = from; unit < to; unit++) {
                int ci = unit % cin;
                int co0 = unit / cin * ROW_BLOCK;
                for (int r = 0; r < ROW_BLOCK; r++) {
                    int co = co0 + r;
                    for (int k = 0; k < 9; k++) {
                        kernels[k * ROW_BLOCK + r] = co < cout ? weight[(co * cin + ci) * 9 + k] : 0f;
                    }
                }
                for (int q = 0; q < ROW_BLOCK; q += L) {
                    transformKernels(kernels, q, gg, u, unit * ROW_BLOCK + q, slab);
                }
            }
        });
        return u;
    }

    /**
     * G·g·Gᵀ of the L kernels at column q of kernels [9][16] into u[off + ξ·slab], the intermediate G·g
     * through gg [18][L].
     */
    private static void transformKernels(float[] kernels, int q, float[] gg, float[] u, int off, int slab) {
        for (int j = 0; j < 3; j++) {
            FloatVector g0 = FloatVector.fromArray(S, kernels, j * ROW_BLOCK + q);
            FloatVector g1 = FloatVector.fromArray(S, kernels, (3 + j) * ROW_BLOCK + q);
            FloatVector g2 = FloatVector.fromArray(S, kernels, (6 + j) * ROW_BLOCK + q);
            for (int a = 0; a < SPAN; a++) {
                g0.mul(G[a][0]).add(g1.mul(G[a][1])).add(g2.mul(G[a][2])).intoArray(gg, (a * 3 + j) * L);
            }
        }
        for (int a = 0; a < SPAN; a++) {
            FloatVector h0 = FloatVector.fromArray(S, gg, a * 3 * L);
            FloatVector h1 = FloatVector.fromArray(S, gg, (a * 3 + 1) * L);
            FloatVector h2 = FloatVector.fromArray(S, gg, (a * 3 + 2) * L);
            for (int c = 0; c < SPAN; c++) {
                h0.mul(G[c][0]).add(h1.mul(G[c][1])).add(h2.mul(G[c][2])).intoArray(u, off + (a * SPAN + c) * slab);
            }
        }
    }

    /** A band's transformed inputs and products, grown as needed and kept per thread. */
    private static final class BandBuffers {
        private float[] v = new float[0];
        private float[] m = new float[0];

        float[] v(int size) {
            v = Scratch.atLeast(v, size);
            return v;
        }

        float[] m(int size) {
            m = Scratch.atLeast(m, size);
            return m;
        }
    }

    /** Per-thread scratch of one tile row. */
    private static final class RowBuffers {
        /** Floats per padded input row: 4·tw + 2 columns rounded up to whole vectors. */
        int width;
        /** Floats per dealt-out tile position: tw rounded up to whole vectors. */
        int stride;
        /** The six padded input rows. */
        float[] in = new float[0];
        /** in dealt out by tile position: [6·6][stride]. */
        float[] dealt = new float[0];
        /** Four output rows of 4·tw pixels. */
        float[] band = new float[0];
        /** One transform's first pass for a vector of tiles: [6·6][L]. */
        final float[] half = new float[XI * L];
        /** The output tiles of a vector of tiles: [4·4][L]. */
        final float[] quad = new float[TILE * TILE * L];

        RowBuffers sized(int tw) {
            width = Gemm.ceilDiv(TILE * tw + 2, L) * L;
            stride = Gemm.ceilDiv(tw, L) * L;
            if (in.length < SPAN * width) {
                in = new float[SPAN * width];
            }
            if (dealt.length < XI * stride) {
                dealt = new float[XI * stride];
            }
            if (band.length < TILE * TILE * tw) {
                band = new float[TILE * TILE * tw];
            }
            return this;
        }
    }
}
