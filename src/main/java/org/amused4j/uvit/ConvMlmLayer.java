package org.amused4j.uvit;

import org.amused4j.nn.Tape;
import org.amused4j.io.Weights;
import org.amused4j.nn.Conv2d;
import org.amused4j.nn.Module;
import org.amused4j.nn.RmsNorm;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/** {@code mlm_layer}: 1×1 conv C→D, RMSNorm over channels, 1×1 conv D→codebook (the logits). */
final class ConvMlmLayer implements Module {
    private final Conv2d conv1;
    private final RmsNorm norm;
    private final Conv2d conv2;

    ConvMlmLayer(UVit2DConfig c, Weights w) {
        this.conv1 = Conv2d.pointwise(w.prefixed("conv1"), c.blockOutChannels(), c.inChannels(), c.useBias());
        this.norm = new RmsNorm(w.prefixed("layer_norm"), c.inChannels(), c.layerNormEps(), c.lnElementwiseAffine());
        this.conv2 = Conv2d.pointwise(w.prefixed("conv2"), c.inChannels(), c.codebookSize(), c.useBias());
    }

    /** x [B, C, h, w] to logits [B, codebook, h, w]. */
    Tensor forward(Tensor x, Tape tape) {
        return conv2.forward(norm.forwardChannels(conv1.forward(x, tape), tape), tape);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        conv1.parameters(prefix + "conv1.", sink);
        norm.parameters(prefix + "layer_norm.", sink);
        conv2.parameters(prefix + "conv2.", sink);
    }
}
