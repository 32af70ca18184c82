package org.amused4j.uvit;

import org.amused4j.io.Weights;
import org.amused4j.tensor.Tensor;

import java.util.function.UnaryOperator;

/**
 * diffusers {@code AdaLayerNormContinuous}: {@code norm(x)·(1 + scale) + shift} with (scale, shift) =
 * split(linear(SiLU(c))). The norm is an RMSNorm ({@code norm1}, {@code norm2} of a transformer layer)
 * or a LayerNorm ({@code norm3}); its parameters live under {@code norm.}, the projection under {@code linear.}.
 */
final class AdaLayerNormContinuous {
    private final Linear linear;
    private final UnaryOperator<Tensor> norm;

    private AdaLayerNormContinuous(Linear linear, UnaryOperator<Tensor> norm) {
        this.linear = linear;
        this.norm = norm;
    }

    static AdaLayerNormContinuous rmsNorm(Weights w, int dim, int condDim, double eps, boolean affine, boolean bias) {
        RmsNorm n = new RmsNorm(w.prefixed("norm"), dim, eps, affine);
        return new AdaLayerNormContinuous(new Linear(w.prefixed("linear"), condDim, 2 * dim, bias), n::forward);
    }

    static AdaLayerNormContinuous layerNorm(Weights w, int dim, int condDim, double eps, boolean affine, boolean bias) {
        LayerNorm n = new LayerNorm(w.prefixed("norm"), dim, eps, affine, bias);
        return new AdaLayerNormContinuous(new Linear(w.prefixed("linear"), condDim, 2 * dim, bias), n::forward);
    }

    /** The modulation for conditioning whose SiLU is {@code siluCond} [B, condDim]. */
    Modulation modulation(Tensor siluCond) {
        return Modulation.split(linear.forward(siluCond));
    }

    /** x [B, L, dim] normalized and modulated, as a new tensor. */
    Tensor forward(Tensor x, Modulation modulation) {
        Tensor y = norm.apply(x);
        modulation.applyToTokens(y);
        return y;
    }
}
