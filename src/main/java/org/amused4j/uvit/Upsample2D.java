package org.amused4j.uvit;

import org.amused4j.nn.Tape;
import org.amused4j.kernels.grad.BackwardKernels;
import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.nn.Module;
import org.amused4j.nn.RmsNorm;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/**
 * {@code up_block.upsample}: RMSNorm over channels, then a 2×2 stride-2 transposed conv (doubles the grid);
 * its weight is [in, out, 2, 2].
 */
final class Upsample2D implements Module {
    private final int channels;
    private final RmsNorm norm;
    private final Tensor weight;
    private final Tensor bias;

    Upsample2D(UVit2DConfig c, Weights w) {
        this.channels = c.blockOutChannels();
        this.norm = new RmsNorm(w.prefixed("norm"), channels, c.layerNormEps(), c.lnElementwiseAffine());
        this.weight = w.get("conv.weight", channels, channels, 2, 2);
        this.bias = c.useBias() ? w.get("conv.bias", channels) : null;
    }

    Tensor forward(Tensor x, Tape tape) {
        Tensor n = norm.forwardChannels(x, tape);
        int batch = n.dim(0), h = n.dim(2), w = n.dim(3);
        Tensor y = Tensor.zeros(batch, channels, 2 * h, 2 * w);
        Kernels.get().convTranspose2x2(n.data(), batch, channels, h, w, weight.data(), channels,
                bias == null ? null : bias.data(), y.data());
        tape.onBackward(y, dY -> BackwardKernels.convTranspose2x2(n.data(), batch, channels, h, w, weight.data(),
                channels, dY, tape.gradientBuffer(n), tape.parameterGradient(weight), tape.parameterGradient(bias)));
        return y;
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        norm.parameters(prefix + "norm.", sink);
        sink.accept(prefix + "conv.weight", weight);
        if (bias != null) {
            sink.accept(prefix + "conv.bias", bias);
        }
    }
}
