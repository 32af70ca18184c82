package org.amused4j.nn;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.kernels.grad.BackwardKernels;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/** diffusers {@code RMSNorm}: x / sqrt(mean(x²) + eps) · weight over the last axis; the weight is optional. */
public final class RmsNorm implements TokenNorm {
    private final int dim;
    private final float eps;
    private final Tensor weight;

    public RmsNorm(Weights w, int dim, double eps, boolean affine) {
        this.dim = dim;
        this.eps = (float) eps;
        this.weight = affine ? w.get("weight", dim) : null;
    }

    /** x [..., dim] normalized over its last axis into a new tensor. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, Tape.NONE);
    }

    /** {@link #forward(Tensor)} into storage from {@code tape}, the backward recorded on it. */
    @Override
    public Tensor forward(Tensor x, Tape tape) {
        if (x.dim(-1) != dim) {
            throw new IllegalArgumentException("RMSNorm over " + dim + " features, got " + x);
        }
        Tensor y = tape.output(x.shape());
        Kernels.get().rmsNorm(x.data(), y.data(), x.size() / dim, dim, OptionalParameters.data(weight), eps);
        tape.onBackward(y, dY -> BackwardKernels.rmsNorm(x.data(), x.size() / dim, dim,
                OptionalParameters.data(weight), eps, dY, tape.gradientBuffer(x), tape.parameterGradient(weight)));
        return y;
    }

    /** Normalizes each pixel's channel vector of an NCHW map (permute to NHWC, normalize, permute back). */
    public Tensor forwardChannels(Tensor nchw) {
        return forwardChannels(nchw, Tape.NONE);
    }

    /** {@link #forwardChannels(Tensor)} recorded on {@code tape}. */
    public Tensor forwardChannels(Tensor nchw, Tape tape) {
        return Layouts.toNchw(forward(Layouts.toNhwc(nchw, tape), tape), tape);
    }

    @Override
    public void normalizeModulated(float[] x, float[] addend, float[] out, int rows, float[] gain, float[] shift,
                                   int rowsPerImage) {
        Kernels.get().modulatedNorm(x, addend, out, rows, dim, false, OptionalParameters.data(weight), null, eps,
                gain, shift, rowsPerImage);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        OptionalParameters.offer(prefix + "weight", weight, sink);
    }
}
