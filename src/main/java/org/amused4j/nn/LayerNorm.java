package org.amused4j.nn;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.kernels.grad.BackwardKernels;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/**
 * {@code nn.LayerNorm(dim, eps)} over the last axis. Without {@code elementwise_affine} it has no parameters;
 * with it a {@code weight} and, unless {@code bias=False} (diffusers' own LayerNorm), a {@code bias}.
 */
public final class LayerNorm implements TokenNorm {
    private final int dim;
    private final float eps;
    private final Tensor weight;
    private final Tensor bias;

    public LayerNorm(Weights w, int dim, double eps, boolean affine, boolean bias) {
        this.dim = dim;
        this.eps = (float) eps;
        this.weight = affine ? w.get("weight", dim) : null;
        this.bias = affine && bias ? w.get("bias", dim) : null;
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
            throw new IllegalArgumentException("LayerNorm over " + dim + " features, got " + x);
        }
        Tensor y = tape.output(x.shape());
        Kernels.get().layerNorm(x.data(), y.data(), x.size() / dim, dim, OptionalParameters.data(weight),
                OptionalParameters.data(bias), eps);
        tape.onBackward(y, dY -> BackwardKernels.layerNorm(x.data(), x.size() / dim, dim,
                OptionalParameters.data(weight), eps, dY, tape.gradientBuffer(x), tape.parameterGradient(weight),
                tape.parameterGradient(bias)));
        return y;
    }

    @Override
    public void normalizeModulated(float[] x, float[] addend, float[] out, int rows, float[] gain, float[] shift,
                                   int rowsPerImage) {
        Kernels.get().modulatedNorm(x, addend, out, rows, dim, true, OptionalParameters.data(weight),
                OptionalParameters.data(bias), eps, gain, shift, rowsPerImage);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        OptionalParameters.offer(prefix + "weight", weight, sink);
        OptionalParameters.offer(prefix + "bias", bias, sink);
    }
}
