package org.amused4j.uvit;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.tensor.Tensor;

/** {@code cond_embed} (diffusers {@code TimestepEmbedding}): linear_2(SiLU(linear_1(u))). */
final class CondEmbedding {
    private final Linear linear1;
    private final Linear linear2;

    CondEmbedding(UVit2DConfig c, Weights w) {
        this.linear1 = new Linear(w.prefixed("linear_1"), c.condEmbedDim() + c.microCondEmbedDim(),
                c.hiddenSize(), c.useBias());
        this.linear2 = new Linear(w.prefixed("linear_2"), c.hiddenSize(), c.hiddenSize(), c.useBias());
    }

    /** u [B, cond_embed_dim + micro_cond_embed_dim] to c [B, hidden]. */
    Tensor forward(Tensor u) {
        Tensor h = linear1.forward(u);
        Kernels.get().silu(h.data(), 0, h.size());
        return linear2.forward(h);
    }
}
