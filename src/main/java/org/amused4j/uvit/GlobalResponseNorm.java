package org.amused4j.uvit;

import org.amused4j.kernels.Parallel;
import org.amused4j.nn.Tape;
import org.amused4j.kernels.grad.BackwardKernels;
import org.amused4j.io.Weights;
import org.amused4j.nn.Module;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/**
 * ConvNeXt-V2 global response norm on NHWC maps: G = per-channel L2 norm over the whole spatial grid,
 * N = G / (mean over channels of G + 1e-6), out = gamma·(x·N) + beta + x. gamma/beta are [1, 1, 1, C].
 */
final class GlobalResponseNorm implements Module {
    private static final float EPS = 1e-6f;
    private final int channels;
    private final Tensor gamma;
    private final Tensor beta;

    GlobalResponseNorm(Weights w, int channels) {
        this.channels = channels;
        this.gamma = w.get("gamma", 1, 1, 1, channels);
        this.beta = w.get("beta", 1, 1, 1, channels);
    }

    /** x [B, H, W, C] (or [B, HW, C]) into storage from {@code tape}, recorded on it. */
    Tensor forward(Tensor x, Tape tape) {
        Tensor y = tape.output(x.shape());
        forward(x, y);
        int batch = x.dim(0);
        tape.onBackward(y, dY -> BackwardKernels.globalResponseNorm(x.data(), batch, x.size() / (batch * channels),
                channels, gamma.data(), EPS, dY, tape.gradientBuffer(x), tape.parameterGradient(gamma),
                tape.parameterGradient(beta)));
        return y;
    }

    /** Every element of y (x's shape). */
    private void forward(Tensor x, Tensor y) {
        int batch = x.dim(0);
        int pixels = x.size() / (batch * channels);
        float[] xd = x.data();
        float[] yd = y.data();
        float[] g = gamma.data();
        float[] bt = beta.data();
        Parallel.forEach(batch, b -> {
            float[] response = new float[channels];
            int base = b * pixels * channels;
            double[] squares = new double[channels];
            for (int p = 0; p < pixels; p++) {
                for (int c = 0; c < channels; c++) {
                    float v = xd[base + p * channels + c];
                    squares[c] += (double) v * v;
                }
            }
            double total = 0;
            for (int c = 0; c < channels; c++) {
                response[c] = (float) Math.sqrt(squares[c]);
                total += response[c];
            }
            float denominator = (float) (total / channels) + EPS;
            for (int c = 0; c < channels; c++) {
                response[c] = response[c] / denominator;
            }
            for (int p = 0; p < pixels; p++) {
                for (int c = 0; c < channels; c++) {
                    int i = base + p * channels + c;
                    yd[i] = g[c] * (xd[i] * response[c]) + bt[c] + xd[i];
                }
            }
        });
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        sink.accept(prefix + "gamma", gamma);
        sink.accept(prefix + "beta", beta);
    }
}
