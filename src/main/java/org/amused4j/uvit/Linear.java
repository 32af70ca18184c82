package org.amused4j.uvit;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.tensor.Tensor;

/** {@code nn.Linear}: y = x·Wᵀ (+ b) over the last axis; W is [out, in]. */
final class Linear {
    private final int in;
    private final int out;
    private final Tensor weight;
    private final Tensor bias;

    Linear(Weights w, int in, int out, boolean bias) {
        this.in = in;
        this.out = out;
        this.weight = w.get("weight", out, in);
        this.bias = bias ? w.get("bias", out) : null;
    }

    int outFeatures() {
        return out;
    }

    /** x [..., in] to [..., out]. */
    Tensor forward(Tensor x) {
        if (x.dim(-1) != in) {
            throw new IllegalArgumentException("linear expects " + in + " input features, got " + x);
        }
        int rows = x.size() / in;
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        Tensor y = Tensor.zeros(shape);
        Kernels.get().gemm(false, true, rows, out, in, 1f, x.data(), 0, in, weight.data(), 0, in,
                0f, y.data(), 0, out);
        if (bias != null) {
            float[] yd = y.data();
            float[] bd = bias.data();
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < out; j++) {
                    yd[r * out + j] += bd[j];
                }
            }
        }
        return y;
    }
}
