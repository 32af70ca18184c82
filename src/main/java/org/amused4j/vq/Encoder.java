package org.amused4j.vq;

import org.amused4j.io.Weights;
import org.amused4j.nn.Conv2d;
import org.amused4j.nn.GroupNorm;
import org.amused4j.nn.Module;
import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The VQ encoder (diffusers {@code vae.Encoder} with {@code double_z=False}), spec 06 §3: conv_in, one down
 * block per {@code block_out_channels} entry (each but the last halving the size), a two-resnet mid block,
 * then SiLU(GroupNorm) and conv_out to {@code latent_channels}. Weights under {@code encoder.}.
 */
public final class Encoder implements Module {
    private final Conv2d convIn;
    private final List<DownEncoderBlock> downBlocks = new ArrayList<>();
    private final ResnetStack midBlock;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;
    private final int inChannels;

    public Encoder(VqConfig config, Weights w) {
        List<Integer> channels = config.blockOutChannels();
        int groups = config.normNumGroups();
        int last = channels.size() - 1;
        this.inChannels = config.inChannels();
        this.convIn = Conv2d.sizePreserving(w.prefixed("conv_in"), inChannels, channels.getFirst(), 3, true);
        int in = channels.getFirst();
        for (int b = 0; b <= last; b++) {
            int out = channels.get(b);
            downBlocks.add(new DownEncoderBlock(w.prefixed("down_blocks." + b), config.layersPerBlock(), in, out,
                    groups, b < last));
            in = out;
        }
        this.midBlock = new ResnetStack(w.prefixed("mid_block"), 2, in, in, groups);
        this.convNormOut = new GroupNorm(w.prefixed("conv_norm_out"), in, groups, ResnetBlock.NORM_EPS);
        this.convOut = Conv2d.sizePreserving(w.prefixed("conv_out"), in, config.latentChannels(), 3, true);
    }

    /** image [B, in_channels, H, W] in [0, 1] → [B, latent_channels, H/f, W/f]. */
    public Tensor forward(Tensor image) {
        return forward(image, Tape.NONE);
    }

    /** The forward, with its backward registered on {@code tape}. */
    public Tensor forward(Tensor image, Tape tape) {
        if (image.rank() != 4 || image.dim(1) != inChannels) {
            throw new IllegalArgumentException("the VQ encoder takes [B, " + inChannels + ", H, W] images, got " + image);
        }
        Tensor h = convIn.forward(image, tape);
        for (DownEncoderBlock block : downBlocks) {
            h = block.forward(h, tape);
        }
        h = midBlock.forward(h, tape);
        return convOut.forward(convNormOut.forwardSiluInPlace(h, tape), tape);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        convIn.parameters(prefix + "conv_in.", sink);
        for (int i = 0; i < downBlocks.size(); i++) {
            downBlocks.get(i).parameters(prefix + "down_blocks." + i + ".", sink);
        }
        midBlock.parameters(prefix + "mid_block.", sink);
        convNormOut.parameters(prefix + "conv_norm_out.", sink);
        convOut.parameters(prefix + "conv_out.", sink);
    }
}
