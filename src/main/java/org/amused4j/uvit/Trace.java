package org.amused4j.uvit;

import org.amused4j.tensor.Tensor;

/**
 * Receives named intermediate activations of a forward pass (the names of the golden data:
 * {@code micro_cond_embeds}, {@code encoder_proj_out}, {@code cond_embed_out}, {@code embed_out},
 * {@code down_block_out}, {@code project_to_hidden_out}, {@code transformer_layer_<i>_out},
 * {@code project_from_hidden_out}, {@code up_block_out}, {@code logits}). Each tensor handed over is a
 * copy the receiver may keep.
 */
@FunctionalInterface
public interface Trace {
    /** Records nothing; the model then makes no copies. */
    Trace NONE = (name, value) -> {
    };

    void record(String name, Tensor value);
}
