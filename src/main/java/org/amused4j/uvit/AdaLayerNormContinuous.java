package org.amused4j.uvit;

import org.amused4j.nn.Tape;
import org.amused4j.io.Weights;
import org.amused4j.nn.Layer;
import org.amused4j.nn.LayerNorm;
import org.amused4j.nn.Linear;
import org.amused4j.nn.Module;
import org.amused4j.nn.RmsNorm;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/**
 * diffusers {@code AdaLayerNormContinuous}: {@code norm(x)·(1 + scale) + shift} with (scale, shift) =
 * split(linear(SiLU(c))). The norm is an RMSNorm ({@code norm1}, {@code norm2} of a transformer layer)
 * or a LayerNorm ({@code norm3}); its parameters live under {@code norm.}, the projection under {@code linear.}.
 */
final class AdaLayerNormContinuous implements Module {
    private final Layer norm;
    private final Linear linear;

    private AdaLayerNormContinuous(Layer norm, Weights w, int dim, int condDim, boolean bias) {
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
        return modulation.applyToTokens(norm.forward(x, tape), tape);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        norm.parameters(prefix + "norm.", sink);
        linear.parameters(prefix + "linear.", sink);
    }
}
