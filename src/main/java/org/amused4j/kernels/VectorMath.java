package org.amused4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Transcendental functions and reductions over float arrays for {@link VectorKernels}, written out in plain
 * FloatVector arithmetic (the incubator's {@code VectorOperators.EXP} is a call per vector and its accuracy
 * depends on the platform's math library). The reductions are public so that the backward kernels
 * ({@code kernels.grad}) take the same statistics as the forward ones.
 */
public final class VectorMath {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();

    /** Inputs above this overflow float exp; below EXP_MIN the result is under the smallest normal. */
    private static final float EXP_MAX = 88.72283f;
    private static final float EXP_MIN = -87.33654f;
    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so n·LN2_HI is exact for |n| ≤ 128 (Cody–Waite reduction). */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** Adding 1.5·2²³ rounds to the nearest integer and leaves it in the low mantissa bits. */
    private static final float ROUND_MAGIC = 12582912f;
    private static final int ROUND_MAGIC_BITS = 0x4B400000;
    private static final float INV_SQRT_2PI = 0.39894228040143268f;

    /** Elements per pass of the blocked functions: their scratch stays in L1. */
    private static final int BLOCK = 512;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(
            () -> new float[][]{new float[BLOCK], new float[BLOCK]});

    /** Length over which float partial sums are kept before being added in double (bounds rounding growth). */
    private static final int SUM_BLOCK = 1024;

    private VectorMath() {
    }

    /**
     * x = e^x in place over [off, off+len), relative error of a few ulp: x = n·ln2 + r, |r| ≤ ln2/2, e^r by
     * its degree-7 Taylor polynomial (truncation below 1e-8), 2^n put straight into the exponent bits.
     * Overflows to +∞, underflows to 0, keeps NaN.
     */
    static void exp(float[] x, int off, int len) {
        for (int i = off; i < off + len; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, off + len);
            FloatVector v = FloatVector.fromArray(SPECIES, x, i, m);
            FloatVector xc = v.max(EXP_MIN).min(EXP_MAX);
            FloatVector t = xc.fma(LOG2E, ROUND_MAGIC);
            FloatVector n = t.sub(ROUND_MAGIC);
            FloatVector r = n.fma(FloatVector.broadcast(SPECIES, -LN2_HI), xc);
            r = n.fma(FloatVector.broadcast(SPECIES, -LN2_LO), r);
            FloatVector p = FloatVector.broadcast(SPECIES, 1f / 5040f);
            p = p.fma(r, FloatVector.broadcast(SPECIES, 1f / 720f));
            p = p.fma(r, FloatVector.broadcast(SPECIES, 1f / 120f));
            p = p.fma(r, FloatVector.broadcast(SPECIES, 1f / 24f));
            p = p.fma(r, FloatVector.broadcast(SPECIES, 1f / 6f));
            p = p.fma(r, FloatVector.broadcast(SPECIES, 0.5f));
            p = p.fma(r, FloatVector.broadcast(SPECIES, 1f));
            p = p.fma(r, FloatVector.broadcast(SPECIES, 1f));
            IntVector bits = t.reinterpretAsInts().add(127 - ROUND_MAGIC_BITS)
                    .lanewise(VectorOperators.LSHL, 23);
            FloatVector y = p.mul(bits.reinterpretAsFloats());
            y = y.blend(Float.POSITIVE_INFINITY, v.compare(VectorOperators.GT, EXP_MAX));
            y = y.blend(0f, v.compare(VectorOperators.LT, EXP_MIN));
            y.blend(v, v.test(VectorOperators.IS_NAN)).intoArray(x, i, m);
        }
    }

    /*
     * The functions below work on arrays in passes over L1-sized blocks rather than as FloatVector -> FloatVector
     * helpers: C2 would not reliably inline our own helpers into the callers' loops (too large, "already
     * compiled into a big method", or the node-count cutoff) and then boxes every vector that crosses the call.
     * So each pass is a loop of straight-line Vector API code that calls no method of ours.
     */

    /**
     * x = erfc(x) in place, with the same Chebyshev-fitted form as {@link Erf#erfc} (fractional error of the
     * fit below 1.2e-7) evaluated in float. {@code scratch} must hold len floats.
     */
    static void erfc(float[] x, int off, int len, float[] scratch) {
        erfcExponentAndFactor(x, off, len, scratch);
        exp(scratch, 0, len);
        erfcCombine(x, off, len, scratch);
    }

    /**
     * With z = |x| and t = 1/(1 + z/2): scratch = the exponent −z² + poly(t), x = t·(1 + rounding correction)
     * carrying x's sign. The exponent reaches −81 where a float ulp is 8e-6, so both z² and the sum are formed
     * with their exact rounding errors (FMA, Knuth's TwoSum), applied as the factor (1 + err).
     */
    private static void erfcExponentAndFactor(float[] x, int off, int len, float[] scratch) {
        for (int i = 0; i < len; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, len);
            FloatVector v = FloatVector.fromArray(SPECIES, x, off + i, m);
            FloatVector z = v.abs();
            FloatVector t = FloatVector.broadcast(SPECIES, 1f).div(z.fma(0.5f, 1f));
            FloatVector p = FloatVector.broadcast(SPECIES, 0.17087277f);
            p = p.fma(t, FloatVector.broadcast(SPECIES, -0.82215223f));
            p = p.fma(t, FloatVector.broadcast(SPECIES, 1.48851587f));
            p = p.fma(t, FloatVector.broadcast(SPECIES, -1.13520398f));
            p = p.fma(t, FloatVector.broadcast(SPECIES, 0.27886807f));
            p = p.fma(t, FloatVector.broadcast(SPECIES, -0.18628806f));
            p = p.fma(t, FloatVector.broadcast(SPECIES, 0.09678418f));
            p = p.fma(t, FloatVector.broadcast(SPECIES, 0.37409196f));
            p = p.fma(t, FloatVector.broadcast(SPECIES, 1.00002368f));
            p = p.fma(t, FloatVector.broadcast(SPECIES, -1.26551223f));
            FloatVector zz = z.mul(z);
            FloatVector zzErr = z.fma(z, zz.neg());
            FloatVector sum = p.sub(zz);
            FloatVector pPart = sum.add(zz);
            FloatVector zzPart = sum.sub(pPart);
            FloatVector sumErr = p.sub(pPart).sub(zz.add(zzPart));
            sum.intoArray(scratch, i, m);
            FloatVector factor = t.mul(sumErr.sub(zzErr).add(1f));
            factor.blend(factor.neg(), v.compare(VectorOperators.LT, 0f)).intoArray(x, off + i, m);
        }
    }

    /** x = |factor|·e^exponent, reflected to 2 − that where the factor (i.e. the input) is negative. */
    private static void erfcCombine(float[] x, int off, int len, float[] scratch) {
        for (int i = 0; i < len; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, len);
            FloatVector factor = FloatVector.fromArray(SPECIES, x, off + i, m);
            FloatVector ans = factor.abs().mul(FloatVector.fromArray(SPECIES, scratch, i, m));
            ans.blend(ans.neg().add(2f), factor.compare(VectorOperators.LT, 0f)).intoArray(x, off + i, m);
        }
    }

    /** Exact GELU x·Φ(x) = 0.5·x·erfc(−x/√2) in place, in blocks. */
    static void gelu(float[] x, int off, int len) {
        float[][] scratch = SCRATCH.get();
        float[] u = scratch[0];
        for (int b = 0; b < len; b += BLOCK) {
            int n = Math.min(BLOCK, len - b);
            scaleInto(x, off + b, n, -0.70710678118654752f, u);
            erfc(u, 0, n, scratch[1]);
            for (int i = 0; i < n; i += LANES) {
                VectorMask<Float> m = SPECIES.indexInRange(i, n);
                FloatVector v = FloatVector.fromArray(SPECIES, x, off + b + i, m);
                v.mul(0.5f).mul(FloatVector.fromArray(SPECIES, u, i, m)).intoArray(x, off + b + i, m);
            }
        }
    }

    /**
     * For x[off..off+n), n ≤ {@value #BLOCK}: cdf = Φ(x) = 0.5·erfc(−x/√2) and xPdf = x·φ(x), the two terms of
     * GELU'(x) (GELU(x) = x·Φ(x)). Φ comes from the same erfc as {@link #gelu}, so forward and backward agree.
     */
    private static void normalCdfAndXPdf(float[] x, int off, int n, float[] cdf, float[] xPdf) {
        scaleInto(x, off, n, -0.70710678118654752f, cdf);
        erfc(cdf, 0, n, xPdf);
        for (int i = 0; i < n; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(SPECIES, x, off + i, m);
            FloatVector.fromArray(SPECIES, cdf, i, m).mul(0.5f).intoArray(cdf, i, m);
            v.mul(v).mul(-0.5f).intoArray(xPdf, i, m);
        }
        exp(xPdf, 0, n);
        for (int i = 0; i < n; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(SPECIES, x, off + i, m);
            v.mul(INV_SQRT_2PI).mul(FloatVector.fromArray(SPECIES, xPdf, i, m)).intoArray(xPdf, i, m);
        }
    }

    /** dX += dY·GELU'(x) = dY·(Φ(x) + x·φ(x)) over [off, off+len) (x, dY and dX indexed alike), in blocks. */
    static void geluGradient(float[] x, int off, int len, float[] dY, float[] dX) {
        float[][] scratch = SCRATCH.get();
        float[] cdf = scratch[0];
        float[] xPdf = scratch[1];
        for (int b = 0; b < len; b += BLOCK) {
            int n = Math.min(BLOCK, len - b);
            int at = off + b;
            normalCdfAndXPdf(x, at, n, cdf, xPdf);
            for (int i = 0; i < n; i += LANES) {
                VectorMask<Float> m = SPECIES.indexInRange(i, n);
                FloatVector d = FloatVector.fromArray(SPECIES, cdf, i, m).add(FloatVector.fromArray(SPECIES, xPdf, i, m));
                FloatVector.fromArray(SPECIES, dY, at + i, m).fma(d, FloatVector.fromArray(SPECIES, dX, at + i, m))
                        .intoArray(dX, at + i, m);
            }
        }
    }

    /**
     * GEGLU's gradient for one row of h = value ⊙ GELU(gate), value at z[value..value+len), gate at
     * z[gate..gate+len), dH at dH[dh..dh+len): dZ[value + j] += dH·GELU(gate), dZ[gate + j] += dH·value·GELU'(gate).
     */
    static void gegluGradient(float[] z, int value, int gate, int len, float[] dH, int dh, float[] dZ) {
        float[][] scratch = SCRATCH.get();
        float[] cdf = scratch[0];
        float[] xPdf = scratch[1];
        for (int b = 0; b < len; b += BLOCK) {
            int n = Math.min(BLOCK, len - b);
            normalCdfAndXPdf(z, gate + b, n, cdf, xPdf);
            for (int i = 0; i < n; i += LANES) {
                VectorMask<Float> m = SPECIES.indexInRange(i, n);
                int v = value + b + i;
                int g = gate + b + i;
                FloatVector d = FloatVector.fromArray(SPECIES, dH, dh + b + i, m);
                FloatVector x = FloatVector.fromArray(SPECIES, z, g, m);
                FloatVector phi = FloatVector.fromArray(SPECIES, cdf, i, m);
                d.mul(x.mul(phi)).add(FloatVector.fromArray(SPECIES, dZ, v, m)).intoArray(dZ, v, m);
                FloatVector slope = phi.add(FloatVector.fromArray(SPECIES, xPdf, i, m));
                d.mul(FloatVector.fromArray(SPECIES, z, v, m)).fma(slope, FloatVector.fromArray(SPECIES, dZ, g, m))
                        .intoArray(dZ, g, m);
            }
        }
    }

    /**
     * dX += dY·d/dx[x·σ(a·x)] = dY·(s + a·x·s·(1 − s)), s = σ(a·x), over [off, off+len) (SiLU for a = 1, quick
     * GELU for 1.702), in blocks.
     */
    static void timesSigmoidGradient(float[] x, int off, int len, float scale, float[] dY, float[] dX) {
        float[] s = SCRATCH.get()[0];
        for (int b = 0; b < len; b += BLOCK) {
            int n = Math.min(BLOCK, len - b);
            int at = off + b;
            scaleInto(x, at, n, -scale, s);
            exp(s, 0, n);
            for (int i = 0; i < n; i += LANES) {
                VectorMask<Float> m = SPECIES.indexInRange(i, n);
                FloatVector sig = FloatVector.fromArray(SPECIES, s, i, m).add(1f);
                sig = FloatVector.broadcast(SPECIES, 1f).div(sig);
                FloatVector ax = FloatVector.fromArray(SPECIES, x, at + i, m).mul(scale);
                FloatVector d = ax.mul(sig).mul(sig.neg().add(1f)).add(sig);
                FloatVector.fromArray(SPECIES, dY, at + i, m).fma(d, FloatVector.fromArray(SPECIES, dX, at + i, m))
                        .intoArray(dX, at + i, m);
            }
        }
    }

    /** x = x·σ(scale·x) in place (SiLU for scale 1, CLIP's quick GELU for 1.702), in blocks. */
    static void timesSigmoid(float[] x, int off, int len, float scale) {
        float[] e = SCRATCH.get()[0];
        for (int b = 0; b < len; b += BLOCK) {
            int n = Math.min(BLOCK, len - b);
            scaleInto(x, off + b, n, -scale, e);
            exp(e, 0, n);
            for (int i = 0; i < n; i += LANES) {
                VectorMask<Float> m = SPECIES.indexInRange(i, n);
                FloatVector v = FloatVector.fromArray(SPECIES, x, off + b + i, m);
                v.div(FloatVector.fromArray(SPECIES, e, i, m).add(1f)).intoArray(x, off + b + i, m);
            }
        }
    }

    /** out[0..len) = factor·x[off..off+len). */
    static void scaleInto(float[] x, int off, int len, float factor, float[] out) {
        for (int i = 0; i < len; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, len);
            FloatVector.fromArray(SPECIES, x, off + i, m).mul(factor).intoArray(out, i, m);
        }
    }

    /** x += c over [off, off+len). */
    static void addInPlace(float[] x, int off, int len, float c) {
        for (int i = off; i < off + len; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, off + len);
            FloatVector.fromArray(SPECIES, x, i, m).add(c).intoArray(x, i, m);
        }
    }

    /** Σ x[off..off+len) accumulated in float vectors per block, blocks added in double. */
    public static double sum(float[] x, int off, int len) {
        double total = 0;
        for (int b = 0; b < len; b += SUM_BLOCK) {
            int end = Math.min(len, b + SUM_BLOCK);
            FloatVector acc = FloatVector.zero(SPECIES);
            int i = b;
            for (; i <= end - LANES; i += LANES) {
                acc = acc.add(FloatVector.fromArray(SPECIES, x, off + i));
            }
            float tail = 0;
            for (; i < end; i++) {
                tail += x[off + i];
            }
            total += laneSum(acc) + tail;
        }
        return total;
    }

    /** Σ (x − mean)² over x[off..off+len), blocked like {@link #sum}. */
    public static double sumSquaredDeviations(float[] x, int off, int len, float mean) {
        double total = 0;
        for (int b = 0; b < len; b += SUM_BLOCK) {
            int end = Math.min(len, b + SUM_BLOCK);
            FloatVector acc = FloatVector.zero(SPECIES);
            int i = b;
            for (; i <= end - LANES; i += LANES) {
                FloatVector d = FloatVector.fromArray(SPECIES, x, off + i).sub(mean);
                acc = d.fma(d, acc);
            }
            float tail = 0;
            for (; i < end; i++) {
                float d = x[off + i] - mean;
                tail += d * d;
            }
            total += laneSum(acc) + tail;
        }
        return total;
    }

    /**
     * The lanes' sum in lane order. {@code reduceLanes(ADD)} leaves the float order unspecified, and the
     * interpreter and C2 do pick different orders, so the same input gave different results before and after
     * JIT compilation; one call per block keeps this off the hot path.
     */
    public static double laneSum(FloatVector v) {
        double s = 0;
        for (int i = 0; i < LANES; i++) {
            s += v.lane(i);
        }
        return s;
    }

    /** Largest element of x[off..off+len) (len ≥ 1). */
    static float max(float[] x, int off, int len) {
        FloatVector acc = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i <= len - LANES; i += LANES) {
            acc = acc.max(FloatVector.fromArray(SPECIES, x, off + i));
        }
        float m = acc.reduceLanes(VectorOperators.MAX);
        for (; i < len; i++) {
            m = Math.max(m, x[off + i]);
        }
        return m;
    }
}
