package org.amused4j.uvit;

import org.amused4j.nn.Tape;
import org.amused4j.io.Weights;
import org.amused4j.nn.Linear;
import org.amused4j.nn.Module;
import org.amused4j.nn.TensorOps;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/** {@code cond_embed} (diffusers {@code TimestepEmbedding}): linear_2(SiLU(linear_1(u))). */
final class CondEmbedding implements Module {
    private final Linear linear1;
    private final Linear linear2;

    CondEmbedding(UVit2DConfig c, Weights w) {
        this.linear1 = new Linear(w.prefixed("linear_1"), c.condEmbedDim() + c.microCondEmbedDim(),
                c.hiddenSize(), c.useBias());
        this.linear2 = new Linear(w.prefixed("linear_2"), c.hiddenSize(), c.hiddenSize(), c.useBias());
    }

    /** u [B, cond_embed_dim + micro_cond_embed_dim] to c [B, hidden]. */
    Tensor forward(Tensor u, Tape tape) {
        return linear2.forward(TensorOps.siluInPlace(linear1.forward(u, tape), tape), tape);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        linear1.parameters(prefix + "linear_1.", sink);
        linear2.parameters(prefix + "linear_2.", sink);
    }
}
