package org.amused4j.kernels.grad;

import org.amused4j.kernels.Parallel;

/**
 * Backward of the global response norm (formulas on {@link BackwardKernels#globalResponseNorm}). Each image
 * takes two passes: per-channel sums over the pixels (threads own channel ranges, so dγ and dβ have one
 * writer each), then dX pixel by pixel (threads own pixel ranges).
 */
final class GlobalResponseNormBackward {
    private GlobalResponseNormBackward() {
    }

    static void run(float[] x, int batch, int pixels, int channels, float[] gamma, float eps, float[] dY,
                    float[] dX, float[] dGamma, float[] dBeta) {
        double[] norm = new double[channels];
        double[] response = new double[channels];
        double[] dyTimesX = new double[channels];
        double[] dySum = new double[channels];
        for (int b = 0; b < batch; b++) {
            int base = b * pixels * channels;
            Parallel.forRange(channels, (from, to) -> {
                for (int c = from; c < to; c++) {
                    double squares = 0;
                    double sxy = 0;
                    double sy = 0;
                    for (int p = 0; p < pixels; p++) {
                        int i = base + p * channels + c;
                        squares += (double) x[i] * x[i];
                        sxy += (double) dY[i] * x[i];
                        sy += dY[i];
                    }
                    norm[c] = Math.sqrt(squares);
                    dyTimesX[c] = sxy;
                    dySum[c] = sy;
                }
            });
            double meanNorm = 0;
            for (int c = 0; c < channels; c++) {
                meanNorm += norm[c];
            }
            double denominator = meanNorm / channels + eps;
            double weighted = 0;
            for (int c = 0; c < channels; c++) {
                response[c] = norm[c] / denominator;
                weighted += gamma[c] * dyTimesX[c] * norm[c];
                if (dGamma != null) {
                    dGamma[c] += (float) (dyTimesX[c] * response[c]);
                }
                if (dBeta != null) {
                    dBeta[c] += (float) dySum[c];
                }
            }
            if (dX == null) {
                continue;
            }
            // dG[c]/G[c]: the gradient reaching the norm, divided by it for d‖x‖/dx = x/‖x‖.
            double[] dNormOverNorm = new double[channels];
            double shared = weighted / (channels * denominator * denominator);
            for (int c = 0; c < channels; c++) {
                dNormOverNorm[c] = norm[c] == 0 ? 0 : (gamma[c] * dyTimesX[c] / denominator - shared) / norm[c];
            }
            Parallel.forRange(pixels, (from, to) -> {
                for (int p = from; p < to; p++) {
                    for (int c = 0; c < channels; c++) {
                        int i = base + p * channels + c;
                        dX[i] += (float) (dY[i] * (gamma[c] * response[c] + 1) + dNormOverNorm[c] * x[i]);
                    }
                }
            });
        }
    }
}
