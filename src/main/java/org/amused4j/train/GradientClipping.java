package org.amused4j.train;

import org.amused4j.kernels.Parallel;

import java.util.List;

/**
 * {@code torch.nn.utils.clip_grad_norm_} with the L2 norm: the total norm of all gradients is computed
 * (here accumulated in double), and every gradient is multiplied by
 * {@code min(1, maxNorm / (total + 1e-6))} in float32.
 */
public final class GradientClipping {
    private static final float EPS = 1e-6f;
    private static final int SLICE = 1 << 16;

    private GradientClipping() {
    }

    /** Clips in place; returns the total norm before clipping (what torch returns). */
    public static float clipByTotalNorm(List<Parameter> parameters, double maxNorm) {
        double sumOfSquares = 0;
        for (Parameter p : parameters) {
            if (p.isTrainable()) {
                sumOfSquares += sumOfSquares(p.grad());
            }
        }
        float total = (float) Math.sqrt(sumOfSquares);
        float coefficient = Math.min(1f, (float) maxNorm / (total + EPS));
        if (coefficient < 1f) {
            for (Parameter p : parameters) {
                if (p.isTrainable()) {
                    float[] g = p.grad();
                    ElementChunks.run(g.length, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            g[i] *= coefficient;
                        }
                    });
                }
            }
        }
        return total;
    }

    /** Sums fixed-size slices in parallel and adds them in order, so the result does not depend on threads. */
    private static double sumOfSquares(float[] g) {
        int slices = (g.length + SLICE - 1) / SLICE;
        double[] partial = new double[slices];
        Parallel.forEach(slices, s -> {
            double sum = 0;
            for (int i = s * SLICE, end = Math.min(g.length, i + SLICE); i < end; i++) {
                sum += (double) g[i] * g[i];
            }
            partial[s] = sum;
        });
        double sum = 0;
        for (double x : partial) {
            sum += x;
        }
        return sum;
    }
}
