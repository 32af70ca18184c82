package org.amused4j.text;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;

/** {@code nn.LayerNorm(width, eps)} with weight and bias, over the last dimension of [rows, width]. */
final class LayerNorm {
    private final float[] weight;
    private final float[] bias;
    private final int width;
    private final float eps;

    LayerNorm(Weights w, int width, double eps) {
        this.weight = w.get("weight", width).data();
        this.bias = w.get("bias", width).data();
        this.width = width;
        this.eps = (float) eps;
    }

    void forward(float[] x, float[] out, int rows) {
        Kernels.get().layerNorm(x, out, rows, width, weight, bias, eps);
    }
}
