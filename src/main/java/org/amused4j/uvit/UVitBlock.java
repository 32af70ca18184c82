package org.amused4j.uvit;

import org.amused4j.nn.Tape;
import org.amused4j.io.Weights;
import org.amused4j.nn.Module;
import org.amused4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * {@code down_block} / {@code up_block}: optional downsample, then {@code num_res_blocks} pairs of
 * (ConvNeXt block, text attention block), then optional upsample. NCHW in and out.
 */
final class UVitBlock implements Module {
    private final Downsample2D downsample;
    private final List<ConvNextBlock> resBlocks = new ArrayList<>();
    private final List<AttentionBlock2D> attentionBlocks = new ArrayList<>();
    private final Upsample2D upsample;

    /** Per-prompt state: each res block's modulation and each attention block's text K/V. */
    record Context(List<Modulation> resBlocks, List<AttentionBlock2D.Context> attentionBlocks) {
        Context images(int from, int to) {
            return new Context(resBlocks.stream().map(m -> m.images(from, to)).toList(),
                    attentionBlocks.stream().map(a -> a.images(from, to)).toList());
        }
    }

    UVitBlock(UVit2DConfig c, Weights w, boolean downsample, boolean upsample) {
        this.downsample = downsample ? new Downsample2D(c, w.prefixed("downsample")) : null;
        for (int i = 0; i < c.numResBlocks(); i++) {
            resBlocks.add(new ConvNextBlock(c, w.prefixed("res_blocks." + i)));
            attentionBlocks.add(new AttentionBlock2D(c, w.prefixed("attention_blocks." + i)));
        }
        this.upsample = upsample ? new Upsample2D(c, w.prefixed("upsample")) : null;
    }

    Context condition(Tensor siluCond, Tensor encoderStates, Tape tape) {
        return new Context(resBlocks.stream().map(b -> b.modulation(siluCond, tape)).toList(),
                attentionBlocks.stream().map(b -> b.condition(encoderStates, tape)).toList());
    }

    /**
     * x NCHW to a new tensor (x itself when the block has no parts); the states between the parts go back to the
     * tape.
     */
    Tensor forward(Tensor x, Context ctx, Tape tape) {
        Tensor t = downsample != null ? downsample.forward(x, tape) : x;
        for (int i = 0; i < resBlocks.size(); i++) {
            t = replace(t, resBlocks.get(i).forward(t, ctx.resBlocks().get(i), tape), x, tape);
            t = replace(t, attentionBlocks.get(i).forward(t, ctx.attentionBlocks().get(i), tape), x, tape);
        }
        return upsample != null ? replace(t, upsample.forward(t, tape), x, tape) : t;
    }

    /** {@code next}, after recycling the state it replaces, unless that is the block's input (its caller's). */
    private static Tensor replace(Tensor state, Tensor next, Tensor input, Tape tape) {
        if (state != input) {
            tape.recycle(state);
        }
        return next;
    }

    /** The attentions of every attention block, by their names under {@code prefix}. */
    void attentions(String prefix, BiConsumer<String, Attention> sink) {
        for (int i = 0; i < attentionBlocks.size(); i++) {
            attentionBlocks.get(i).attentions(prefix + "attention_blocks." + i + ".", sink);
        }
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        if (downsample != null) {
            downsample.parameters(prefix + "downsample.", sink);
        }
        for (int i = 0; i < resBlocks.size(); i++) {
            resBlocks.get(i).parameters(prefix + "res_blocks." + i + ".", sink);
            attentionBlocks.get(i).parameters(prefix + "attention_blocks." + i + ".", sink);
        }
        if (upsample != null) {
            upsample.parameters(prefix + "upsample.", sink);
        }
    }
}
