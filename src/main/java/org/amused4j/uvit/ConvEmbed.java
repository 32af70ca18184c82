package org.amused4j.uvit;

import org.amused4j.nn.Tape;
import org.amused4j.io.Weights;
import org.amused4j.nn.Conv2d;
import org.amused4j.nn.Embedding;
import org.amused4j.nn.Layouts;
import org.amused4j.nn.Module;
import org.amused4j.nn.RmsNorm;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/** {@code embed} (diffusers {@code UVit2DConvEmbed}): token embedding → RMSNorm → NCHW → 1×1 conv. */
final class ConvEmbed implements Module {
    private final int vocab;
    private final int dim;
    private final Embedding embeddings;
    private final RmsNorm norm;
    private final Conv2d conv;

    ConvEmbed(UVit2DConfig c, Weights w) {
        this.vocab = c.vocabSize();
        this.dim = c.inChannels();
        this.embeddings = new Embedding(w.prefixed("embeddings"), vocab, dim);
        this.norm = new RmsNorm(w.prefixed("layer_norm"), dim, c.layerNormEps(), c.lnElementwiseAffine());
        this.conv = Conv2d.pointwise(w.prefixed("conv"), dim, c.blockOutChannels(), c.useBias());
    }

    /** ids [batch·h·w] (row-major grids) to [B, C, h, w]. */
    Tensor forward(int[] ids, int batch, int h, int w, Tape tape) {
        for (int id : ids) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " outside the vocabulary 0.." + (vocab - 1));
            }
        }
        Tensor x = embeddings.forward(ids, tape).reshape(batch, h, w, dim);
        return conv.forward(Layouts.toNchw(norm.forward(x, tape), tape), tape);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        embeddings.parameters(prefix + "embeddings.", sink);
        norm.parameters(prefix + "layer_norm.", sink);
        conv.parameters(prefix + "conv.", sink);
    }
}
