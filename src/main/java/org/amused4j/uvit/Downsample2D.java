package org.amused4j.uvit;

import org.amused4j.nn.Tape;
import org.amused4j.io.Weights;
import org.amused4j.nn.Conv2d;
import org.amused4j.nn.Module;
import org.amused4j.nn.RmsNorm;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/** {@code down_block.downsample}: RMSNorm over channels, then a 2×2 stride-2 conv (halves the grid). */
final class Downsample2D implements Module {
    private final RmsNorm norm;
    private final Conv2d conv;

    Downsample2D(UVit2DConfig c, Weights w) {
        int channels = c.blockOutChannels();
        this.norm = new RmsNorm(w.prefixed("norm"), channels, c.layerNormEps(), c.lnElementwiseAffine());
        this.conv = new Conv2d(w.prefixed("conv"), channels, channels, 2, 2, Conv2d.Padding.bottomRight(1), 1, c.useBias());
    }

    Tensor forward(Tensor x, Tape tape) {
        return conv.forward(norm.forwardChannels(x, tape), tape);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        norm.parameters(prefix + "norm.", sink);
        conv.parameters(prefix + "conv.", sink);
    }
}
