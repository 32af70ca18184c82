package org.amused4j.uvit;

import org.amused4j.nn.Layer;
import java.util.function.BiFunction;
import org.amused4j.nn.Tape;
import org.amused4j.kernels.grad.BackwardKernels;
import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.nn.Linear;
import org.amused4j.nn.Module;
import org.amused4j.tensor.Tensor;

import java.util.List;
import java.util.function.BiConsumer;

/**
 * diffusers {@code Attention} with the scaled-dot-product processor: Q from the queries, K and V from a
 * context (the queries themselves for self-attention), softmax(Q·Kᵀ/sqrt(headDim))·V per head, then
 * {@code to_out.0}. No residual, no mask. K/V of a fixed context (the text) can be projected once with
 * {@link #keyValues} and reused for every sampling step.
 */
final class Attention implements Module {
    private final int heads;
    private final int headDim;
    private Layer toQ;
    private Layer toK;
    private Layer toV;
    private Layer toOut;

    /** Projected keys and values [B, Lk, heads·headDim] of one context. */
    record KeyValues(Tensor keys, Tensor values) {
        /** The keys and values of images [from, to) alone. */
        KeyValues images(int from, int to) {
            return new KeyValues(keys.images(from, to), values.images(from, to));
        }
    }

    /**
     * @param queryDim width of the queries and of the output
     * @param contextDim width of the context the keys/values are projected from
     */
    Attention(Weights w, int queryDim, int contextDim, int heads, int headDim, boolean bias) {
        this.heads = heads;
        this.headDim = headDim;
        int inner = heads * headDim;
        this.toQ = new Linear(w.prefixed("to_q"), queryDim, inner, bias);
        this.toK = new Linear(w.prefixed("to_k"), contextDim, inner, bias);
        this.toV = new Linear(w.prefixed("to_v"), contextDim, inner, bias);
        this.toOut = new Linear(w.prefixed("to_out.0"), inner, queryDim, bias);
    }

    /**
     * Replaces each projection by {@code adapter.apply(local name, projection)} (local names {@code to_q},
     * {@code to_k}, {@code to_v}, {@code to_out.0}); the adapter returns the projection itself to keep it.
     */
    void adaptProjections(BiFunction<String, Layer, Layer> adapter) {
        toQ = adapter.apply("to_q", toQ);
        toK = adapter.apply("to_k", toK);
        toV = adapter.apply("to_v", toV);
        toOut = adapter.apply("to_out.0", toOut);
    }

    /** K and V of {@code context} [B, Lk, contextDim]. */
    KeyValues keyValues(Tensor context, Tape tape) {
        return new KeyValues(toK.forward(context, tape), toV.forward(context, tape));
    }

    /** Queries x [B, Lq, queryDim] attending to precomputed keys/values; returns [B, Lq, queryDim]. */
    Tensor forward(Tensor x, KeyValues kv, Tape tape) {
        return attend(toQ.forward(x, tape), kv, tape);
    }

    /**
     * Self-attention among the tokens of x. Plain (not adapted) projections run as one product of x with the
     * three weights ({@link Linear#forwardEach}).
     */
    Tensor selfAttention(Tensor x, Tape tape) {
        Tensor q;
        KeyValues kv;
        if (toQ instanceof Linear lq && toK instanceof Linear lk && toV instanceof Linear lv) {
            // K, V, then Q: the order the layers ran in one by one, which a training tape's backward reverses.
            List<Tensor> kvq = Linear.forwardEach(x, tape, lk, lv, lq);
            kv = new KeyValues(kvq.get(0), kvq.get(1));
            q = kvq.get(2);
        } else {
            kv = keyValues(x, tape);
            q = toQ.forward(x, tape);
        }
        Tensor y = attend(q, kv, tape);
        tape.recycle(kv.keys());
        tape.recycle(kv.values());
        return y;
    }

    /** Projected queries q [B, Lq, heads·headDim] attending to {@code kv}, then {@code to_out.0}. */
    private Tensor attend(Tensor q, KeyValues kv, Tape tape) {
        int batch = q.dim(0), lq = q.dim(1), lk = kv.keys().dim(1);
        if (kv.keys().dim(0) != batch) {
            throw new IllegalArgumentException("query batch " + batch + " but context batch " + kv.keys().dim(0));
        }
        int inner = heads * headDim;
        Tensor k = kv.keys();
        Tensor v = kv.values();
        Tensor o = tape.output(batch, lq, inner);
        Kernels.get().attention(q.data(), inner, k.data(), inner, v.data(), inner, o.data(),
                batch, heads, lq, lk, headDim, false);
        tape.onBackward(o, dO -> BackwardKernels.attention(q.data(), inner, k.data(), inner, v.data(), inner,
                batch, heads, lq, lk, headDim, false, dO, tape.gradientBuffer(q), tape.gradientBuffer(k),
                tape.gradientBuffer(v)));
        tape.recycle(q);
        Tensor y = toOut.forward(o, tape);
        tape.recycle(o);
        return y;
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        toQ.parameters(prefix + "to_q.", sink);
        toK.parameters(prefix + "to_k.", sink);
        toV.parameters(prefix + "to_v.", sink);
        toOut.parameters(prefix + "to_out.0.", sink);
    }
}
