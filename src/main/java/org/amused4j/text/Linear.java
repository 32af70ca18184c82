package org.amused4j.text;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;

import java.util.Arrays;

/**
 * {@code nn.Linear(in, out)}: y = x·Wᵀ + b with W stored [out, in] as in PyTorch; the bias is optional.
 * Besides plain application it can add its result onto an existing buffer, which is how the residual
 * connections are computed without an extra pass.
 */
final class Linear {
    private final float[] weight;
    private final float[] bias;
    private final int in;
    private final int out;

    Linear(Weights w, int in, int out, boolean hasBias) {
        this.weight = w.get("weight", out, in).data();
        this.bias = hasBias ? w.get("bias", out).data() : null;
        this.in = in;
        this.out = out;
    }

    /** y[rows, out] = x[rows, in]·Wᵀ + b (y is overwritten). */
    void forward(float[] x, int rows, float[] y) {
        Arrays.fill(y, 0, rows * out, 0f);
        addForward(x, rows, y);
    }

    /** y[rows, out] += x[rows, in]·Wᵀ + b. */
    void addForward(float[] x, int rows, float[] y) {
        if (bias != null) {
            for (int r = 0; r < rows; r++) {
                int base = r * out;
                for (int j = 0; j < out; j++) {
                    y[base + j] += bias[j];
                }
            }
        }
        Kernels.get().gemm(false, true, rows, out, in, 1f, x, 0, in, weight, 0, in, 1f, y, 0, out);
    }
}
