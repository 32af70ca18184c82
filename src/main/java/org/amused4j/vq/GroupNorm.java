package org.amused4j.vq;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.tensor.Tensor;

/** GroupNorm with affine {@code weight}/{@code bias} [channels] and the VQ's eps 1e-6, on NCHW tensors. */
final class GroupNorm {
    private static final float EPS = 1e-6f;

    private final Tensor weight;
    private final Tensor bias;
    private final int channels;
    private final int groups;

    GroupNorm(Weights w, int channels, int groups) {
        this.weight = w.get("weight", channels);
        this.bias = w.get("bias", channels);
        this.channels = channels;
        this.groups = groups;
    }

    Tensor forward(Tensor x) {
        if (x.dim(1) != channels) {
            throw new IllegalArgumentException("group norm expects " + channels + " channels, got " + x);
        }
        Tensor y = Tensor.zeros(x.shape());
        Kernels.get().groupNorm(x.data(), y.data(), x.dim(0), channels, x.dim(2) * x.dim(3), groups,
                weight.data(), bias.data(), EPS);
        return y;
    }

    /** SiLU(GroupNorm(x)): the pre-activation every VQ conv after the first is fed with. */
    Tensor forwardSilu(Tensor x) {
        Tensor y = forward(x);
        Kernels.get().silu(y.data(), 0, y.size());
        return y;
    }
}
