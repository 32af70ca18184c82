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
 * The VQ decoder (diffusers {@code vae.Decoder}, {@code norm_type "group"}), spec 06 §5: conv_in to the widest
 * channel count, a two-resnet mid block, up blocks over the reversed {@code block_out_channels} with
 * {@code layers_per_block + 1} resnets each (each but the last doubling the size), then SiLU(GroupNorm) and
 * conv_out. Weights under {@code decoder.}.
 */
public final class Decoder implements Module {
    private final Conv2d convIn;
    private final ResnetStack midBlock;
    private final List<UpDecoderBlock> upBlocks = new ArrayList<>();
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    public Decoder(VqConfig config, Weights w) {
        List<Integer> channels = config.blockOutChannels().reversed();
        int groups = config.normNumGroups();
        int last = channels.size() - 1;
        int in = channels.getFirst();
        this.convIn = Conv2d.sizePreserving(w.prefixed("conv_in"), config.latentChannels(), in, 3, true);
        this.midBlock = new ResnetStack(w.prefixed("mid_block"), 2, in, in, groups);
        for (int u = 0; u <= last; u++) {
            int out = channels.get(u);
            upBlocks.add(new UpDecoderBlock(w.prefixed("up_blocks." + u), config.layersPerBlock() + 1, in, out,
                    groups, u < last));
            in = out;
        }
        this.convNormOut = new GroupNorm(w.prefixed("conv_norm_out"), in, groups, ResnetBlock.NORM_EPS);
        this.convOut = Conv2d.sizePreserving(w.prefixed("conv_out"), in, config.outChannels(), 3, true);
    }

    /** [B, latent_channels, h, w] → image [B, out_channels, h·f, w·f], not clamped. */
    public Tensor forward(Tensor z) {
        return forward(z, Tape.NONE);
    }

    /** The forward, with its backward registered on {@code tape}; the intermediates go back to the tape. */
    public Tensor forward(Tensor z, Tape tape) {
        Tensor h = convIn.forward(z, tape);
        h = replace(h, midBlock.forward(h, tape), tape);
        for (UpDecoderBlock block : upBlocks) {
            h = replace(h, block.forward(h, tape), tape);
        }
        // In place (h itself) unless the tape records, and a recording tape recycles nothing.
        Tensor activated = convNormOut.forwardSiluInPlace(h, tape);
        Tensor image = convOut.forward(activated, tape);
        tape.recycle(activated);
        return image;
    }

    /** {@code next}, after handing the state it replaces back to the tape. */
    private static Tensor replace(Tensor state, Tensor next, Tape tape) {
        tape.recycle(state);
        return next;
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        convIn.parameters(prefix + "conv_in.", sink);
        midBlock.parameters(prefix + "mid_block.", sink);
        for (int i = 0; i < upBlocks.size(); i++) {
            upBlocks.get(i).parameters(prefix + "up_blocks." + i + ".", sink);
        }
        convNormOut.parameters(prefix + "conv_norm_out.", sink);
        convOut.parameters(prefix + "conv_out.", sink);
    }
}
