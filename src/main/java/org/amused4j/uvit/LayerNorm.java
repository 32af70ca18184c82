package org.amused4j.uvit;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.tensor.Tensor;

/** diffusers {@code LayerNorm} over the last axis, with optional weight and (only if affine) optional bias. */
final class LayerNorm {
    private final int dim;
    private final float eps;
    private final Tensor weight;
    private final Tensor bias;

    LayerNorm(Weights w, int dim, double eps, boolean affine, boolean bias) {
        this.dim = dim;
        this.eps = (float) eps;
        this.weight = affine ? w.get("weight", dim) : null;
        this.bias = affine && bias ? w.get("bias", dim) : null;
    }

    Tensor forward(Tensor x) {
        if (x.dim(-1) != dim) {
            throw new IllegalArgumentException("LayerNorm over " + dim + " features, got " + x);
        }
        Tensor y = Tensor.zeros(x.shape());
        Kernels.get().layerNorm(x.data(), y.data(), x.size() / dim, dim,
                weight == null ? null : weight.data(), bias == null ? null : bias.data(), eps);
        return y;
    }
}
