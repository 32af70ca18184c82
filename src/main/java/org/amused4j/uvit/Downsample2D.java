package org.amused4j.uvit;

import org.amused4j.io.Weights;
import org.amused4j.tensor.Tensor;

/** {@code down_block.downsample}: RMSNorm over channels, then a 2×2 stride-2 conv (halves the grid). */
final class Downsample2D {
    private final RmsNorm norm;
    private final Conv2d conv;

    Downsample2D(UVit2DConfig c, Weights w) {
        int channels = c.blockOutChannels();
        this.norm = new RmsNorm(w.prefixed("norm"), channels, c.layerNormEps(), c.lnElementwiseAffine());
        this.conv = Conv2d.down2x2(w.prefixed("conv"), channels, channels, c.useBias());
    }

    Tensor forward(Tensor x) {
        return conv.forward(norm.forwardChannels(x));
    }
}
