package org.amused4j.uvit;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.tensor.Tensor;

/** {@code embed} (diffusers {@code UVit2DConvEmbed}): token embedding → RMSNorm → NCHW → 1×1 conv. */
final class ConvEmbed {
    private final int vocab;
    private final int dim;
    private final Tensor embeddings;
    private final RmsNorm norm;
    private final Conv2d conv;

    ConvEmbed(UVit2DConfig c, Weights w) {
        this.vocab = c.vocabSize();
        this.dim = c.inChannels();
        this.embeddings = w.get("embeddings.weight", vocab, dim);
        this.norm = new RmsNorm(w.prefixed("layer_norm"), dim, c.layerNormEps(), c.lnElementwiseAffine());
        this.conv = Conv2d.pointwise(w.prefixed("conv"), dim, c.blockOutChannels(), c.useBias());
    }

    /** ids [batch·h·w] (row-major grids) to [B, C, h, w]. */
    Tensor forward(int[] ids, int batch, int h, int w) {
        for (int id : ids) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " outside the vocabulary 0.." + (vocab - 1));
            }
        }
        Tensor x = Tensor.zeros(batch, h, w, dim);
        Kernels.get().embedding(ids, embeddings.data(), vocab, dim, x.data());
        return conv.forward(Layouts.toNchw(norm.forward(x)));
    }
}
