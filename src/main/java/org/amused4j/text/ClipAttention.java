package org.amused4j.text;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;

/**
 * CLIP's causal multi-head self-attention (spec 04 §2): separate q/k/v projections with bias, scores scaled
 * by head_dim^-0.5, each position attends to itself and earlier positions only (no padding mask), heads
 * concatenated head-major, then out_proj.
 */
final class ClipAttention {
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

    /** residual[batch*seq, width] += attention(x). */
    void addForward(float[] x, int batch, int seq, float[] residual) {
        int rows = batch * seq;
        float[] qs = new float[rows * width];
        float[] ks = new float[rows * width];
        float[] vs = new float[rows * width];
        q.forward(x, rows, qs);
        k.forward(x, rows, ks);
        v.forward(x, rows, vs);
        float[] mixed = new float[rows * width];
        Kernels.get().attention(qs, width, ks, width, vs, width, mixed, batch, heads, seq, seq, width / heads, true);
        outProj.addForward(mixed, rows, residual);
    }
}
