package org.amused4j.nn;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.kernels.grad.BackwardKernels;
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

    /** GroupNorm(x) with its backward registered on {@code tape}. */
    @Override
    public Tensor forward(Tensor x, Tape tape) {
        Tensor y = forward(x);
        tape.onBackward(y, dY -> BackwardKernels.groupNorm(x.data(), x.dim(0), channels, x.dim(2) * x.dim(3), groups,
                weight.data(), eps, dY, tape.gradientBuffer(x), tape.parameterGradient(weight),
                tape.parameterGradient(bias)));
        return y;
    }

    /**
     * SiLU(GroupNorm(x)) recorded on {@code tape} as one step: the backward recomputes the norm (cheaper in memory
     * than keeping it) to take SiLU's derivative, then runs the norm's backward. The output's storage comes from
     * {@code tape}; with {@link Tape#NONE} this is {@link #forwardSilu(Tensor)}.
     */
    public Tensor forwardSilu(Tensor x, Tape tape) {
        Tensor y = siluOfNormInto(x, tape.output(x.shape()));
        tape.onBackward(y, dY -> {
            Tensor normed = forward(x);
            float[] dNormed = new float[dY.length];
            BackwardKernels.silu(normed.data(), 0, dNormed.length, dY, dNormed);
            BackwardKernels.groupNorm(x.data(), x.dim(0), channels, x.dim(2) * x.dim(3), groups, weight.data(), eps,
                    dNormed, tape.gradientBuffer(x), tape.parameterGradient(weight), tape.parameterGradient(bias));
        });
        return y;
    }

    /** {@link #forwardSiluInPlace(Tensor)}, except that a recording tape needs x kept: then into a new tensor. */
    public Tensor forwardSiluInPlace(Tensor x, Tape tape) {
        return tape.isRecording() ? forwardSilu(x, tape) : forwardSiluInPlace(x);
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
