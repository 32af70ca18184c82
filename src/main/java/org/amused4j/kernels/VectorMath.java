package org.amused4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Lane-wise transcendental functions and reductions for {@link VectorKernels}, written out in plain
 * FloatVector arithmetic so the JIT keeps them in registers (the incubator's {@code VectorOperators.EXP}
 * is a call per vector and its accuracy depends on the platform's math library).
 */
final class VectorMath {
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

    /** Length over which float partial sums are kept before being added in double (bounds rounding growth). */
    private static final int SUM_BLOCK = 1024;

    private VectorMath() {
    }

    /**
     * e^x with relative error of a few ulp: x = n·ln2 + r, |r| ≤ ln2/2, e^r by its degree-7 Taylor polynomial
     * (truncation below 1e-8), 2^n put straight into the exponent bits. Overflows to +∞, underflows to 0.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector t = xc.fma(LOG2E, ROUND_MAGIC);
        FloatVector n = t.sub(ROUND_MAGIC);
        FloatVector r = horner(n, -LN2_HI, xc);
        r = horner(n, -LN2_LO, r);
        FloatVector p = FloatVector.broadcast(SPECIES, 1f / 5040f);
        p = horner(p, r, 1f / 720f);
        p = horner(p, r, 1f / 120f);
        p = horner(p, r, 1f / 24f);
        p = horner(p, r, 1f / 6f);
        p = horner(p, r, 0.5f);
        p = horner(p, r, 1f);
        p = horner(p, r, 1f);
        IntVector bits = t.reinterpretAsInts().add(127 - ROUND_MAGIC_BITS).lanewise(VectorOperators.LSHL, 23);
        FloatVector y = p.mul(bits.reinterpretAsFloats());
        // n reaches 128 only for inputs within half an ulp-step of EXP_MAX; such results overflow anyway.
        y = y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_MAX));
        y = y.blend(0f, x.compare(VectorOperators.LT, EXP_MIN));
        return y.blend(x, x.test(VectorOperators.IS_NAN));
    }

    /** σ(x) = 1 / (1 + e^−x). */
    static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(SPECIES, 1f).div(exp(x.neg()).add(1f));
    }

    /**
     * erfc(x) with the same Chebyshev-fitted form as {@link Erf#erfc} (fractional error of the fit below
     * 1.2e-7), evaluated in float.
     */
    static FloatVector erfc(FloatVector x) {
        FloatVector z = x.abs();
        FloatVector t = z.fma(0.5f, 1f);
        t = FloatVector.broadcast(SPECIES, 1f).div(t);
        FloatVector p = FloatVector.broadcast(SPECIES, 0.17087277f);
        p = horner(p, t, -0.82215223f);
        p = horner(p, t, 1.48851587f);
        p = horner(p, t, -1.13520398f);
        p = horner(p, t, 0.27886807f);
        p = horner(p, t, -0.18628806f);
        p = horner(p, t, 0.09678418f);
        p = horner(p, t, 0.37409196f);
        p = horner(p, t, 1.00002368f);
        p = horner(p, t, -1.26551223f);
        // The exponent p − z² reaches −81 where a float ulp is 8e-6, so both z² and the sum are formed with
        // their exact rounding errors (FMA, Knuth's TwoSum) and those are applied as the factor (1 + err).
        FloatVector zz = z.mul(z);
        FloatVector zzErr = z.fma(z, zz.neg());
        FloatVector sum = p.sub(zz);
        FloatVector pPart = sum.add(zz);
        FloatVector zzPart = sum.sub(pPart);
        FloatVector sumErr = p.sub(pPart).sub(zz.add(zzPart));
        FloatVector e = exp(sum).mul(sumErr.sub(zzErr).add(1f));
        FloatVector ans = t.mul(e);
        return ans.blend(ans.neg().add(2f), x.compare(VectorOperators.LT, 0f));
    }

    /** Exact GELU x·Φ(x) = 0.5·x·erfc(−x/√2). */
    static FloatVector gelu(FloatVector x) {
        return x.mul(0.5f).mul(erfc(x.mul(-0.70710678118654752f)));
    }

    /** Σ x[off..off+len) accumulated in float vectors per block, blocks added in double. */
    static double sum(float[] x, int off, int len) {
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
            total += acc.reduceLanes(VectorOperators.ADD) + tail;
        }
        return total;
    }

    /** Σ (x − mean)² over x[off..off+len), blocked like {@link #sum}. */
    static double sumSquaredDeviations(float[] x, int off, int len, float mean) {
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
            total += acc.reduceLanes(VectorOperators.ADD) + tail;
        }
        return total;
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

    /** One Horner step p·x + c as a single FMA. */
    private static FloatVector horner(FloatVector p, FloatVector x, float c) {
        return p.fma(x, FloatVector.broadcast(SPECIES, c));
    }

    /** p·c + x as a single FMA. */
    private static FloatVector horner(FloatVector p, float c, FloatVector x) {
        return p.fma(FloatVector.broadcast(SPECIES, c), x);
    }

    /** The mask of the first {@code n} lanes, for loop tails. */
    static VectorMask<Float> tail(int n) {
        return SPECIES.indexInRange(0, n);
    }
}
