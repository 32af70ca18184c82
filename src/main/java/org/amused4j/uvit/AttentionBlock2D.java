package org.amused4j.uvit;

import org.amused4j.nn.Tape;
import org.amused4j.io.Weights;
import org.amused4j.nn.Layouts;
import org.amused4j.nn.Linear;
import org.amused4j.nn.Module;
import org.amused4j.nn.RmsNorm;
import org.amused4j.nn.TensorOps;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/**
 * {@code attention_blocks.i} of a U-ViT block (diffusers {@code SkipFFTransformerBlock}, spec 05 §2.4):
 * two residual attentions of the image tokens, <em>both</em> to the text (K/V from
 * {@code kv_mapper(SiLU(text))}, or the text itself when its width already equals the block's), each after
 * an RMSNorm whose eps is fixed at 1e-6 and which always has a weight. No self-attention, no MLP.
 */
final class AttentionBlock2D implements Module {
    private static final double NORM_EPS = 1e-6;
    private final Linear kvMapper;
    private final RmsNorm norm1;
    private final Attention attn1;
    private final RmsNorm norm2;
    private final Attention attn2;

    /** The text's keys/values for the two attentions. */
    record Context(Attention.KeyValues attn1, Attention.KeyValues attn2) {
        Context images(int from, int to) {
            return new Context(attn1.images(from, to), attn2.images(from, to));
        }
    }

    AttentionBlock2D(UVit2DConfig c, Weights w) {
        int channels = c.blockOutChannels();
        int heads = c.blockNumHeads();
        int headDim = channels / heads;
        boolean bias = c.useBias();
        this.kvMapper = c.hiddenSize() != channels
                ? new Linear(w.prefixed("kv_mapper"), c.hiddenSize(), channels, bias) : null;
        this.norm1 = new RmsNorm(w.prefixed("norm1"), channels, NORM_EPS, true);
        this.attn1 = new Attention(w.prefixed("attn1"), channels, channels, heads, headDim, bias);
        this.norm2 = new RmsNorm(w.prefixed("norm2"), channels, NORM_EPS, true);
        this.attn2 = new Attention(w.prefixed("attn2"), channels, channels, heads, headDim, bias);
    }

    /** @param encoderStates the projected, normalized text [B, Lt, H] */
    Context condition(Tensor encoderStates, Tape tape) {
        Tensor kv = kvMapper != null
                ? kvMapper.forward(TensorOps.silu(encoderStates, tape), tape) : encoderStates;
        return new Context(attn1.keyValues(kv, tape), attn2.keyValues(kv, tape));
    }

    /**
     * x NCHW [B, C, h, w] to a new tensor of the same shape; attention runs over the h·w row-major tokens. The
     * intermediates go back to the tape.
     */
    Tensor forward(Tensor x, Context ctx, Tape tape) {
        int batch = x.dim(0), channels = x.dim(1), h = x.dim(2), w = x.dim(3);
        Tensor tokens = Layouts.toNhwc(x, tape).reshape(batch, h * w, channels);
        Tensor normed = norm1.forward(tokens, tape);
        Tensor afterFirst = TensorOps.residual(tokens, attn1.forward(normed, ctx.attn1(), tape), tape);
        tape.recycle(normed);
        tape.recycle(tokens);
        normed = norm2.forward(afterFirst, tape);
        Tensor afterSecond = TensorOps.residual(afterFirst, attn2.forward(normed, ctx.attn2(), tape), tape);
        tape.recycle(normed);
        tape.recycle(afterFirst);
        Tensor y = Layouts.toNchw(afterSecond.reshape(batch, h, w, channels), tape);
        tape.recycle(afterSecond);
        return y;
    }

    /** Both attentions, by their names under {@code prefix}. */
    void attentions(String prefix, BiConsumer<String, Attention> sink) {
        sink.accept(prefix + "attn1", attn1);
        sink.accept(prefix + "attn2", attn2);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        if (kvMapper != null) {
            kvMapper.parameters(prefix + "kv_mapper.", sink);
        }
        norm1.parameters(prefix + "norm1.", sink);
        attn1.parameters(prefix + "attn1.", sink);
        norm2.parameters(prefix + "norm2.", sink);
        attn2.parameters(prefix + "attn2.", sink);
    }
}
