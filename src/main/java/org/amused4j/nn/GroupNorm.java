package org.amused4j.nn;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/** {@code nn.GroupNorm(groups, channels, eps)} with affine {@code weight}/{@code bias} [channels], on NCHW maps. */
public final class GroupNorm implements Layer {
    private final int channels;
    private final int groups;
    private final float eps;
    private final Tensor weight;
    private final Tensor bias;

    public GroupNorm(Weights w, int channels, int groups, double eps) {
        this.channels = channels;
        this.groups = groups;
        this.eps = (float) eps;
        this.weight = w.get("weight", channels);
        this.bias = w.get("bias", channels);
    }

    /** x [B, channels, H, W] normalized per (image, group) into a new tensor. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor y = Tensor.zeros(x.shape());
        Kernels.get().groupNorm(x.data(), y.data(), x.dim(0), checkedChannels(x), x.dim(2) * x.dim(3), groups,
                weight.data(), bias.data(), eps);
        return y;
    }

    /** SiLU(GroupNorm(x)) into a new tensor, in one pass where the backend fuses them. */
    public Tensor forwardSilu(Tensor x) {
        return siluOfNormInto(x, Tensor.zeros(x.shape()));
    }

    /** SiLU(GroupNorm(x)) written over x (for an x nothing else reads afterwards); returns x. */
    public Tensor forwardSiluInPlace(Tensor x) {
        return siluOfNormInto(x, x);
    }

    private Tensor siluOfNormInto(Tensor x, Tensor y) {
        Kernels.get().groupNormSilu(x.data(), y.data(), x.dim(0), checkedChannels(x), x.dim(2) * x.dim(3), groups,
                weight.data(), bias.data(), eps);
        return y;
    }

    private int checkedChannels(Tensor x) {
        if (x.dim(1) != channels) {
            throw new IllegalArgumentException("group norm expects " + channels + " channels, got " + x);
        }
        return channels;
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        sink.accept(prefix + "weight", weight);
        sink.accept(prefix + "bias", bias);
    }
}
