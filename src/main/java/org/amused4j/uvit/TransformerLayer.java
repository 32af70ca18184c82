package org.amused4j.uvit;

import org.amused4j.nn.Tape;
import org.amused4j.io.Weights;
import org.amused4j.nn.Module;
import org.amused4j.nn.TensorOps;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/**
 * One of the {@code transformer_layers} (diffusers {@code BasicTransformerBlock}, norm_type
 * "ada_norm_continuous"): self-attention, cross-attention to the projected text, GEGLU feed-forward, each
 * behind an adaptive norm and added back as a residual. norm1/norm2 are RMSNorms, norm3 a LayerNorm (spec 05 §2.6).
 */
final class TransformerLayer implements Module {
    private final AdaLayerNormContinuous norm1;
    private final Attention attn1;
    private final AdaLayerNormContinuous norm2;
    private final Attention attn2;
    private final AdaLayerNormContinuous norm3;
    private final GegluFeedForward ff;

    /** What the layer needs from the conditioning: its three modulations and the text's K/V for attn2. */
    record Context(Modulation norm1, Modulation norm2, Modulation norm3, Attention.KeyValues text) {
        Context images(int from, int to) {
            return new Context(norm1.images(from, to), norm2.images(from, to), norm3.images(from, to),
                    text.images(from, to));
        }
    }

    TransformerLayer(UVit2DConfig c, Weights w) {
        int dim = c.hiddenSize();
        int heads = c.numAttentionHeads();
        int headDim = dim / heads;
        double eps = c.layerNormEps();
        boolean affine = c.lnElementwiseAffine();
        boolean bias = c.useBias();
        this.norm1 = AdaLayerNormContinuous.rmsNorm(w.prefixed("norm1"), dim, dim, eps, affine, bias);
        this.attn1 = new Attention(w.prefixed("attn1"), dim, dim, heads, headDim, bias);
        this.norm2 = AdaLayerNormContinuous.rmsNorm(w.prefixed("norm2"), dim, dim, eps, affine, bias);
        this.attn2 = new Attention(w.prefixed("attn2"), dim, dim, heads, headDim, bias);
        this.norm3 = AdaLayerNormContinuous.layerNorm(w.prefixed("norm3"), dim, dim, eps, affine, bias);
        this.ff = new GegluFeedForward(w.prefixed("ff"), dim, c.intermediateSize(), bias);
    }

    /**
     * @param siluCond      SiLU of the conditioning vector c [B, H]
     * @param encoderStates the projected, normalized text [B, Lt, H]
     */
    Context condition(Tensor siluCond, Tensor encoderStates, Tape tape) {
        return new Context(norm1.modulation(siluCond, tape), norm2.modulation(siluCond, tape),
                norm3.modulation(siluCond, tape), attn2.keyValues(encoderStates, tape));
    }

    /**
     * x [B, S, H] to a new [B, S, H]; what the layer computes on the way goes back to the tape. Each residual sum
     * but the last is taken together with the norm after it ({@link AdaLayerNormContinuous#forwardAfterResidual}).
     */
    Tensor forward(Tensor x, Context ctx, Tape tape) {
        Tensor normed = norm1.forward(x, ctx.norm1(), tape);
        Tensor selfAttended = attn1.selfAttention(normed, tape);
        tape.recycle(normed);
        AdaLayerNormContinuous.AfterResidual afterSelf = norm2.forwardAfterResidual(x, selfAttended, ctx.norm2(), tape);
        Tensor textAttended = attn2.forward(afterSelf.normed(), ctx.text(), tape);
        tape.recycle(afterSelf.normed());
        AdaLayerNormContinuous.AfterResidual afterText =
                norm3.forwardAfterResidual(afterSelf.sum(), textAttended, ctx.norm3(), tape);
        tape.recycle(afterSelf.sum());
        Tensor y = TensorOps.residual(afterText.sum(), ff.forward(afterText.normed(), tape), tape);
        tape.recycle(afterText.normed());
        tape.recycle(afterText.sum());
        return y;
    }

    /** Both attentions, by their names under {@code prefix}. */
    void attentions(String prefix, BiConsumer<String, Attention> sink) {
        sink.accept(prefix + "attn1", attn1);
        sink.accept(prefix + "attn2", attn2);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        norm1.parameters(prefix + "norm1.", sink);
        attn1.parameters(prefix + "attn1.", sink);
        norm2.parameters(prefix + "norm2.", sink);
        attn2.parameters(prefix + "attn2.", sink);
        norm3.parameters(prefix + "norm3.", sink);
        ff.parameters(prefix + "ff.", sink);
    }
}
