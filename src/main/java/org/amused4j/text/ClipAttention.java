package org.amused4j.text;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.kernels.grad.BackwardKernels;
import org.amused4j.nn.Linear;
import org.amused4j.nn.Module;
import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/**
 * CLIP's causal multi-head self-attention (spec 04 §2): separate q/k/v projections with bias, scores scaled
 * by head_dim^-0.5, each position attends to itself and earlier positions only (no padding mask), heads
 * concatenated head-major, then out_proj.
 */
final class ClipAttention implements Module {
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear outProj;
    private final int width;
    private final int heads;

    ClipAttention(ClipTextConfig config, Weights w) {
        this.width = config.hiddenSize();
        this.heads = config.numAttentionHeads();
        this.q = new Linear(w.prefixed("q_proj"), width, width, true);
        this.k = new Linear(w.prefixed("k_proj"), width, width, true);
        this.v = new Linear(w.prefixed("v_proj"), width, width, true);
        this.outProj = new Linear(w.prefixed("out_proj"), width, width, true);
    }

    /** residual + attention(x), both [batch, seq, width], as a new tensor; recorded on {@code tape}. */
    Tensor forwardOnto(Tensor x, Tensor residual, Tape tape) {
        int batch = x.dim(0), seq = x.dim(1), headDim = width / heads;
        Tensor qs = q.forwardBiasFirst(x, tape);
        Tensor ks = k.forwardBiasFirst(x, tape);
        Tensor vs = v.forwardBiasFirst(x, tape);
        Tensor mixed = Tensor.zeros(x.shape());
        Kernels.get().attention(qs.data(), width, ks.data(), width, vs.data(), width, mixed.data(), batch, heads,
                seq, seq, headDim, true);
        tape.onBackward(mixed, dMixed -> BackwardKernels.attention(qs.data(), width, ks.data(), width, vs.data(),
                width, batch, heads, seq, seq, headDim, true, dMixed, tape.gradientBuffer(qs),
                tape.gradientBuffer(ks), tape.gradientBuffer(vs)));
        return outProj.forwardOnto(mixed, residual, tape);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        q.parameters(prefix + "q_proj.", sink);
        k.parameters(prefix + "k_proj.", sink);
        v.parameters(prefix + "v_proj.", sink);
        outProj.parameters(prefix + "out_proj.", sink);
    }
}
