package org.amused4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Dense 3×3 stride-1 convolution by Winograd's minimal filtering F(4×4, 3×3) (Lavin &amp; Gray, 2016): a 4×4
 * output tile costs 36 multiplies per (input, output) channel pair instead of the direct 144.
 *
 * <p>The image is cut into bands of whole tile rows. Per band, every 6×6 input tile d of every input channel
 * becomes Bᵀ·d·B, giving 36 matrices V[ξ] [cin × tiles]; the weights become the 36 matrices U[ξ] = (G·g·Gᵀ)[ξ]
 * [cout × cin]; 36 GEMMs M[ξ] = U[ξ]·V[ξ] do the channel sums; each output tile is Aᵀ·m·A of its 36 values.
 * Bands run in parallel when there are enough of them, otherwise one after the other with the work inside
 * each band (channels, GEMM) split across the cores.
 *
 * <p>Interpolation points 0, 1, −1, 2, −1/2 (and ∞) rather than the textbook 0, ±1, ±2: Bᵀ and Aᵀ stay exact
 * in binary and the float32 error per convolution drops about 3.5× (to roughly 20× that of a direct sum) on
 * unit-variance inputs with 256 channels.
 * The transforms are vectorized across the tiles of a tile row, one vector of 16 at a time.
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
    /** Tiles per band: the GEMMs' N. 256 keeps one V[ξ] slab (cin × tiles) in L2 up to cin ≈ 1024. */
    private static final int BAND_TILES = 256;
    /** Fewest output tiles (n · tile rows · tile columns) for which {@link #applies} chooses Winograd. */
    static final int MIN_TILES = 32;
    /** (cout, cin) pairs transformed at a time. */
    private static final int WEIGHT_BLOCK = 4 * L;

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
     * below MIN_TILES output tiles per call, transforming the weights and streaming U[ξ] through GEMMs of a
     * few columns costs more than the multiplies saved (measured: 768 channels at 16×16 take twice as long as
     * im2col, at 32×32 two thirds as long).
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
            Parallel.forEach(bands, body::run);
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

    /** Output tile rows [ty0, ty0 + rows) of image b. */
    private static void runBand(float[] x, int b, ConvGeometry g, float[] u, float[] bias, float[] out,
                                int ty0, int rows, int tw) {
        int cin = g.cin();
        int cout = g.cout();
        int tiles = rows * tw;
        BandBuffers buf = BANDS.get();
        float[] v = buf.v(XI * cin * tiles);
        float[] m = buf.m(XI * cout * tiles);
        Parallel.forRange(cin, (from, to) -> {
            RowBuffers rb = ROWS.get().sized(tw);
            for (int ci = from; ci < to; ci++) {
                for (int r = 0; r < rows; r++) {
                    inputTile(x, (b * cin + ci) * g.h() * g.w(), g, ty0 + r, tw, rb,
                            v, ci * tiles + r * tw, cin * tiles);
                }
            }
        });
        for (int xi = 0; xi < XI; xi++) {
            Gemm.gemm(false, false, cout, tiles, cin, 1f, u, xi * cout * cin, cin, v, xi * cin * tiles, tiles,
                    0f, m, xi * cout * tiles, tiles);
        }
        Parallel.forRange(cout, (from, to) -> {
            RowBuffers rb = ROWS.get().sized(tw);
            for (int co = from; co < to; co++) {
                float bv = bias != null ? bias[co] : 0f;
                for (int r = 0; r < rows; r++) {
                    outputTile(m, co * tiles + r * tw, cout * tiles, bv, tw, rb);
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
     * Bᵀ·d·B of the tw tiles of tile row ty of one input channel (plane at xOff), written to
     * v[dst + ξ·slab + tx]. The six input rows (zero outside the image) are first dealt out so that each of
     * the 36 tile positions of consecutive tiles is contiguous; both transform passes then run on whole
     * vectors of 16 tiles.
     */
    private static void inputTile(float[] x, int xOff, ConvGeometry g, int ty, int tw, RowBuffers rb,
                                  float[] v, int dst, int slab) {
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
            VectorMask<Float> tail = tx + L <= tw ? null : S.indexInRange(tx, tw);
            for (int c = 0; c < SPAN; c++) {
                bt(d, c * stride + tx, SPAN * stride, e, c * L, SPAN * L, null);
            }
            for (int i = 0; i < SPAN; i++) {
                bt(e, i * SPAN * L, L, v, dst + i * SPAN * slab + tx, slab, tail);
            }
        }
    }

    /**
     * The six outputs of Bᵀ·d for the column d_j = src[off + j·step] (vectors), stored at dst[dOff + k·dStep]
     * (only the lanes of {@code mask} when it is non-null). Bᵀ rows: [1, 3/2, −2, −3/2, 1, 0],
     * [0, −1, −5/2, −1/2, 1, 0], [0, 1, 1/2, −5/2, 1, 0], [0, −1/2, −1, 1/2, 1, 0], [0, 2, −1, −2, 1, 0],
     * [0, 1, 3/2, −2, −3/2, 1].
     */
    private static void bt(float[] src, int off, int step, float[] dst, int dOff, int dStep,
                           VectorMask<Float> mask) {
        FloatVector d0 = FloatVector.fromArray(S, src, off);
        FloatVector d1 = FloatVector.fromArray(S, src, off + step);
        FloatVector d2 = FloatVector.fromArray(S, src, off + 2 * step);
        FloatVector d3 = FloatVector.fromArray(S, src, off + 3 * step);
        FloatVector d4 = FloatVector.fromArray(S, src, off + 4 * step);
        FloatVector d5 = FloatVector.fromArray(S, src, off + 5 * step);
        FloatVector d13 = d1.sub(d3);
        store(d0.add(d4).add(d13.mul(1.5f)).sub(d2.mul(2f)), dst, dOff, mask);
        store(d4.sub(d1).sub(d3.mul(0.5f)).sub(d2.mul(2.5f)), dst, dOff + dStep, mask);
        store(d4.add(d1).add(d2.mul(0.5f)).sub(d3.mul(2.5f)), dst, dOff + 2 * dStep, mask);
        store(d4.sub(d2).sub(d13.mul(0.5f)), dst, dOff + 3 * dStep, mask);
        store(d4.sub(d2).add(d13.mul(2f)), dst, dOff + 4 * dStep, mask);
        store(d5.add(d1).add(d2.sub(d4).mul(1.5f)).sub(d3.mul(2f)), dst, dOff + 5 * dStep, mask);
    }

    private static void store(FloatVector y, float[] dst, int off, VectorMask<Float> mask) {
        if (mask == null) {
            y.intoArray(dst, off);
        } else {
            y.intoArray(dst, off, mask);
        }
    }

    /**
     * Aᵀ·m·A + bias of the tw tiles whose transformed products sit at m[src + ξ·slab + tx], written as four
     * output rows of 4·tw pixels into rb.band.
     */
    private static void outputTile(float[] m, int src, int slab, float bias, int tw, RowBuffers rb) {
        float[] half = rb.half;
        float[] quad = rb.quad;
        float[] band = rb.band;
        int rowLen = TILE * tw;
        for (int tx = 0; tx < tw; tx += L) {
            if (tx + L <= tw) {
                for (int j = 0; j < SPAN; j++) {
                    at(m, src + j * slab + tx, SPAN * slab, 0f, half, j * L, SPAN * L);
                }
            } else {
                // The last tiles of the row: copy them out first so that whole-vector loads stay in bounds.
                float[] rest = rb.rest;
                for (int xi = 0; xi < XI; xi++) {
                    System.arraycopy(m, src + xi * slab + tx, rest, xi * L, tw - tx);
                }
                for (int j = 0; j < SPAN; j++) {
                    at(rest, j * L, SPAN * L, 0f, half, j * L, SPAN * L);
                }
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

    /** U = G·g·Gᵀ for every (co, ci), laid out [ξ][cout][cin] in a per-thread buffer reused across calls. */
    private static float[] transformedWeights(float[] weight, int cout, int cin) {
        float[][] holder = WEIGHTS.get();
        int pairs = cout * cin;
        if (holder[0].length < XI * pairs) {
            holder[0] = new float[XI * pairs];
        }
        float[] u = holder[0];
        // Blocks of pairs so that each of the 36 destination rows is written a run at a time, not a float;
        // within a block, vectors of L pairs (their 3×3 kernels first dealt out position by position).
        Parallel.forRange(Gemm.ceilDiv(pairs, WEIGHT_BLOCK), (fromBlock, toBlock) -> {
            float[] kernels = new float[9 * WEIGHT_BLOCK];
            float[] block = new float[XI * WEIGHT_BLOCK];
            float[] gg = new float[SPAN * 3 * L];
            for (int p0 = fromBlock * WEIGHT_BLOCK; p0 < Math.min(pairs, toBlock * WEIGHT_BLOCK);
                 p0 += WEIGHT_BLOCK) {
                int count = Math.min(WEIGHT_BLOCK, pairs - p0);
                for (int q = 0; q < count; q++) {
                    for (int k = 0; k < 9; k++) {
                        kernels[k * WEIGHT_BLOCK + q] = weight[(p0 + q) * 9 + k];
                    }
                }
                for (int q = 0; q < count; q += L) {
                    transformKernels(kernels, q, gg, block);
                }
                for (int xi = 0; xi < XI; xi++) {
                    System.arraycopy(block, xi * WEIGHT_BLOCK, u, xi * pairs + p0, count);
                }
            }
        });
        return u;
    }

    /**
     * G·g·Gᵀ of the L kernels at column q of kernels [9][WEIGHT_BLOCK] into column q of block [36][WEIGHT_BLOCK],
     * the intermediate G·g through gg [18][L].
     */
    private static void transformKernels(float[] kernels, int q, float[] gg, float[] block) {
        for (int j = 0; j < 3; j++) {
            FloatVector g0 = FloatVector.fromArray(S, kernels, j * WEIGHT_BLOCK + q);
            FloatVector g1 = FloatVector.fromArray(S, kernels, (3 + j) * WEIGHT_BLOCK + q);
            FloatVector g2 = FloatVector.fromArray(S, kernels, (6 + j) * WEIGHT_BLOCK + q);
            for (int a = 0; a < SPAN; a++) {
                g0.mul(G[a][0]).add(g1.mul(G[a][1])).add(g2.mul(G[a][2])).intoArray(gg, (a * 3 + j) * L);
            }
        }
        for (int a = 0; a < SPAN; a++) {
            FloatVector h0 = FloatVector.fromArray(S, gg, a * 3 * L);
            FloatVector h1 = FloatVector.fromArray(S, gg, (a * 3 + 1) * L);
            FloatVector h2 = FloatVector.fromArray(S, gg, (a * 3 + 2) * L);
            for (int c = 0; c < SPAN; c++) {
                h0.mul(G[c][0]).add(h1.mul(G[c][1])).add(h2.mul(G[c][2]))
                        .intoArray(block, (a * SPAN + c) * WEIGHT_BLOCK + q);
            }
        }
    }

    /** A band's transformed inputs and products, grown as needed and kept per thread. */
    private static final class BandBuffers {
        private float[] v = new float[0];
        private float[] m = new float[0];

        float[] v(int size) {
            if (v.length < size) {
                v = new float[size];
            }
            return v;
        }

        float[] m(int size) {
            if (m.length < size) {
                m = new float[size];
            }
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
        /** The products of a partial vector of tiles: [36][L]. */
        final float[] rest = new float[XI * L];

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
