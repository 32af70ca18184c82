package org.amused4j.uvit;

import org.amused4j.nn.Tape;
import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.nn.Conv2d;
import org.amused4j.nn.Layouts;
import org.amused4j.nn.Linear;
import org.amused4j.nn.Module;
import org.amused4j.nn.RmsNorm;
import org.amused4j.nn.TensorOps;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/**
 * {@code res_blocks.i} of a U-ViT block (spec 05 §2.4): depthwise 3×3 → RMSNorm → Linear C→4C → GELU →
 * GRN → Linear 4C→C → residual add → then {@code x·(1 + scale) + shift} with (scale, shift) from
 * {@code cond_embeds_mapper(SiLU(c))}.
 */
final class ConvNextBlock implements Module {
    private final Conv2d depthwise;
    private final RmsNorm norm;
    private final Linear linear1;
    private final GlobalResponseNorm grn;
    private final Linear linear2;
    private final Linear condEmbedsMapper;

    ConvNextBlock(UVit2DConfig c, Weights w) {
        int channels = c.blockOutChannels();
        int wide = 4 * channels;
        boolean bias = c.useBias();
        this.depthwise = new Conv2d(w.prefixed("depthwise"), channels, channels, 3, 1, Conv2d.Padding.uniform(1),
                channels, bias);
        this.norm = new RmsNorm(w.prefixed("norm"), channels, c.layerNormEps(), c.lnElementwiseAffine());
        this.linear1 = new Linear(w.prefixed("channelwise_linear_1"), channels, wide, bias);
        this.grn = new GlobalResponseNorm(w.prefixed("channelwise_norm"), wide);
        this.linear2 = new Linear(w.prefixed("channelwise_linear_2"), wide, channels, bias);
        this.condEmbedsMapper = new Linear(w.prefixed("cond_embeds_mapper"), c.hiddenSize(), 2 * channels, bias);
    }

    /** The block's modulation for SiLU(c) [B, H]. */
    Modulation modulation(Tensor siluCond, Tape tape) {
        return Modulation.split(condEmbedsMapper.forward(siluCond, tape), tape);
    }

    /** x NCHW [B, C, h, w] to a new tensor of the same shape; the intermediates go back to the tape. */
    Tensor forward(Tensor x, Modulation modulation, Tape tape) {
        Tensor mixed = depthwise.forward(x, tape);
        Tensor tokens = Layouts.toNhwc(mixed, tape);
        tape.recycle(mixed);
        Tensor normed = norm.forward(tokens, tape);
        tape.recycle(tokens);
        Tensor wide = TensorOps.geluInPlace(linear1.forward(normed, tape), tape);
        tape.recycle(normed);
        Tensor responded = grn.forward(wide, tape);
        tape.recycle(wide);
        Tensor narrow = linear2.forward(responded, tape);
        tape.recycle(responded);
        Tensor branch = Layouts.toNchw(narrow, tape);
        tape.recycle(narrow);
        return modulation.applyToChannels(TensorOps.residual(x, branch, tape), tape);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        depthwise.parameters(prefix + "depthwise.", sink);
        norm.parameters(prefix + "norm.", sink);
        linear1.parameters(prefix + "channelwise_linear_1.", sink);
        grn.parameters(prefix + "channelwise_norm.", sink);
        linear2.parameters(prefix + "channelwise_linear_2.", sink);
        condEmbedsMapper.parameters(prefix + "cond_embeds_mapper.", sink);
    }
}
