package org.amused4j.uvit;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.tensor.Tensor;

/** diffusers {@code RMSNorm}: x / sqrt(mean(x²) + eps) · weight over the last axis; the weight is optional. */
final class RmsNorm {
    private final int dim;
    private final float eps;
    private final Tensor weight;

    RmsNorm(Weights w, int dim, double eps, boolean affine) {
        this.dim = dim;
        this.eps = (float) eps;
        this.weight = affine ? w.get("weight", dim) : null;
    }

    /** Normalizes x [..., dim] over its last axis into a new tensor. */
    Tensor forward(Tensor x) {
        if (x.dim(-1) != dim) {
            throw new IllegalArgumentException("RMSNorm over " + dim + " features, got " + x);
        }
        Tensor y = Tensor.zeros(x.shape());
        Kernels.get().rmsNorm(x.data(), y.data(), x.size() / dim, dim, weight == null ? null : weight.data(), eps);
        return y;
    }

    /** Normalizes each pixel's channel vector of an NCHW map (permute to NHWC, normalize, permute back). */
    Tensor forwardChannels(Tensor nchw) {
        return Layouts.toNchw(forward(Layouts.toNhwc(nchw)));
    }
}
