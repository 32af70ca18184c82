package org.amused4j.kernels.grad;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.amused4j.kernels.Parallel;
import org.amused4j.kernels.VectorMath;

/**
 * Backward of GroupNorm (formulas on {@link BackwardKernels#groupNorm}) in vector code. Per (image, group): the
 * mean and variance, then per channel Σ dY and Σ dY·(x − mean), from which x̂'s sums follow (Σ dY·x̂ = inv·Σ
 * dY·(x − mean)), then dX = inv·(w·dY − mean_g − inv·mean_gx·(x − mean)) in one pass. Mean and variance come
 * from the forward kernel's own reductions ({@link VectorMath#sum}, {@link VectorMath#sumSquaredDeviations}); the
 * per-channel sums are taken the same way: float vectors over blocks of {@value #BLOCK}, the blocks added in
 * double, lanes in a fixed order, so the result does not depend on how the JIT compiled the loop.
 */
final class GroupNormBackward {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int BLOCK = 1024;

    private GroupNormBackward() {
    }

    static void run(float[] x, int n, int channels, int hw, int groups, float[] weight, float eps, float[] dY,
                    float[] dX, float[] dWeight, float[] dBias) {
        int perGroup = channels / groups;
        int len = perGroup * hw;
        Parallel.forEach(groups, g -> {
            double[] sumW = new double[perGroup];
            double[] sumB = new double[perGroup];
            double[] sums = new double[2];
            for (int b = 0; b < n; b++) {
                int base = (b * channels + g * perGroup) * hw;
                float mean = (float) (VectorMath.sum(x, base, len) / len);
                double inv = 1.0 / Math.sqrt(VectorMath.sumSquaredDeviations(x, base, len, mean) / len + eps);
                double meanG = 0;
                double meanGx = 0;
                for (int c = 0; c < perGroup; c++) {
                    double w = weight != null ? weight[g * perGroup + c] : 1.0;
                    channelSums(dY, x, base + c * hw, hw, mean, sums);
                    meanG += w * sums[0];
                    meanGx += w * inv * sums[1];
                    sumW[c] += inv * sums[1];
                    sumB[c] += sums[0];
                }
                if (dX != null) {
                    float shift = (float) (meanG / len);
                    float slope = (float) (inv * meanGx / len);
                    for (int c = 0; c < perGroup; c++) {
                        float w = weight != null ? weight[g * perGroup + c] : 1f;
                        addInputGradient(x, dY, dX, base + c * hw, hw, mean, (float) inv, w, shift, slope);
                    }
                }
            }
            for (int c = 0; c < perGroup; c++) {
                if (dWeight != null) {
                    dWeight[g * perGroup + c] += (float) sumW[c];
                }
                if (dBias != null) {
                    dBias[g * perGroup + c] += (float) sumB[c];
                }
            }
        });
    }

    /** sums = {Σ dY, Σ dY·(x − mean)} over [off, off+len). */
    private static void channelSums(float[] dY, float[] x, int off, int len, float mean, double[] sums) {
        double sy = 0;
        double sd = 0;
        for (int b = 0; b < len; b += BLOCK) {
            int end = Math.min(len, b + BLOCK);
            FloatVector accY = FloatVector.zero(S);
            FloatVector accD = FloatVector.zero(S);
            int i = b;
            for (; i <= end - L; i += L) {
                FloatVector g = FloatVector.fromArray(S, dY, off + i);
                accY = accY.add(g);
                accD = g.fma(FloatVector.fromArray(S, x, off + i).sub(mean), accD);
            }
            sy += VectorMath.laneSum(accY);
            sd += VectorMath.laneSum(accD);
            for (; i < end; i++) {
                sy += dY[off + i];
                sd += (double) dY[off + i] * (x[off + i] - mean);
            }
        }
        sums[0] = sy;
        sums[1] = sd;
    }

    /**
     * dX += inv·(w·dY − shift − slope·(x − mean)) over [off, off+len): the bracket is formed before the scaling by
     * inv (which 1/√eps makes large on a flat group), so where its terms cancel exactly, dX gets exactly 0.
     */
    private static void addInputGradient(float[] x, float[] dY, float[] dX, int off, int len, float mean,
                                         float inv, float w, float shift, float slope) {
        FloatVector scale = FloatVector.broadcast(S, inv);
        int i = 0;
        for (; i <= len - L; i += L) {
            FloatVector deviation = FloatVector.fromArray(S, x, off + i).sub(mean);
            FloatVector bracket = FloatVector.fromArray(S, dY, off + i).mul(w).sub(shift).sub(deviation.mul(slope));
            bracket.fma(scale, FloatVector.fromArray(S, dX, off + i)).intoArray(dX, off + i);
        }
        for (; i < len; i++) {
            dX[off + i] += inv * (w * dY[off + i] - shift - slope * (x[off + i] - mean));
        }
    }
}
