package org.amused4j.uvit;

import org.amused4j.nn.Tape;
import org.amused4j.io.Weights;
import org.amused4j.nn.LayerNorm;
import org.amused4j.nn.Linear;
import org.amused4j.nn.Module;
import org.amused4j.nn.RmsNorm;
import org.amused4j.nn.TensorOps;
import org.amused4j.nn.TokenNorm;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/**
 * diffusers {@code AdaLayerNormContinuous}: {@code norm(x)·(1 + scale) + shift} with (scale, shift) =
 * split(linear(SiLU(c))). The norm is an RMSNorm ({@code norm1}, {@code norm2} of a transformer layer)
 * or a LayerNorm ({@code norm3}); its parameters live under {@code norm.}, the projection under {@code linear.}.
 */
final class AdaLayerNormContinuous implements Module {
    private final TokenNorm norm;
    private final Linear linear;

    /** A residual sum and its normalized, modulated tokens. */
    record AfterResidual(Tensor sum, Tensor normed) {
    }

    private AdaLayerNormContinuous(TokenNorm norm, Weights w, int dim, int condDim, boolean bias) {
        this.norm = norm;
        this.linear = new Linear(w.prefixed("linear"), condDim, 2 * dim, bias);
    }

    static AdaLayerNormContinuous rmsNorm(Weights w, int dim, int condDim, double eps, boolean affine, boolean bias) {
        return new AdaLayerNormContinuous(new RmsNorm(w.prefixed("norm"), dim, eps, affine), w, dim, condDim, bias);
    }

    static AdaLayerNormContinuous layerNorm(Weights w, int dim, int condDim, double eps, boolean affine, boolean bias) {
        return new AdaLayerNormContinuous(new LayerNorm(w.prefixed("norm"), dim, eps, affine, bias), w, dim, condDim,
                bias);
    }

    /** The modulation for conditioning whose SiLU is {@code siluCond} [B, condDim]. */
    Modulation modulation(Tensor siluCond, Tape tape) {
        return Modulation.split(linear.forward(siluCond, tape), tape);
    }

    /** x [B, L, dim] normalized and modulated, as a new tensor. */
    Tensor forward(Tensor x, Modulation modulation, Tape tape) {
        if (tape.isRecording()) {
            return modulation.applyToTokens(norm.forward(x, tape), tape);
        }
        Tensor y = tape.output(x.shape());
        normalizeModulated(x, null, y, modulation);
        return y;
    }

    /**
     * The residual sum x + branch, with a recording tape as {@link TensorOps#residual} then {@link #forward};
     * without, in one pass over the rows (the sum written into the branch's own storage, which nobody else may
     * hold). The values are the same either way.
     */
    AfterResidual forwardAfterResidual(Tensor x, Tensor branch, Modulation modulation, Tape tape) {
        if (tape.isRecording()) {
            Tensor sum = TensorOps.residual(x, branch, tape);
            return new AfterResidual(sum, forward(sum, modulation, tape));
        }
        if (!branch.hasShape(x.shape())) {
            throw new IllegalArgumentException("cannot add " + branch + " to " + x);
        }
        Tensor y = tape.output(x.shape());
        normalizeModulated(branch, x, y, modulation);
        return new AfterResidual(branch, y);
    }

    private void normalizeModulated(Tensor x, Tensor addend, Tensor out, Modulation modulation) {
        int batch = x.dim(0);
        if (modulation.gain().dim(0) != batch || modulation.dim() != x.dim(-1)) {
            throw new IllegalArgumentException("modulation " + modulation.gain() + " for tokens " + x);
        }
        int rows = x.size() / x.dim(-1);
        norm.normalizeModulated(x.data(), addend == null ? null : addend.data(), out.data(), rows,
                modulation.gain().data(), modulation.shift().data(), rows / batch);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        norm.parameters(prefix + "norm.", sink);
        linear.parameters(prefix + "linear.", sink);
    }
}
