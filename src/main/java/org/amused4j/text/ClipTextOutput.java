package org.amused4j.text;

import org.amused4j.tensor.Tensor;

import java.util.List;

/**
 * What {@link ClipTextEncoder#forward} returns, named as in transformers' {@code CLIPTextModelWithProjection}
 * output with {@code output_hidden_states=True}.
 *
 * @param hiddenStates       every hidden state [batch, seq, width]: index 0 the embeddings, index i the output
 *                           of layer i (before the final LayerNorm); empty unless requested
 * @param penultimate        {@code hidden_states[-2]}, the second-to-last layer's output without final LayerNorm:
 *                           aMUSEd's {@code encoder_hidden_states} [batch, seq, width]
 * @param lastHiddenState    final_layer_norm(last layer's output) [batch, seq, width]
 * @param pooledOutput       lastHiddenState at each row's pooling position [batch, width]
 * @param textEmbeds         pooledOutput·text_projectionᵀ: aMUSEd's pooled condition [batch, projection_dim]
 * @param poolingIndex       the pooling position of each row (the first EOS for aMUSEd's prompts)
 */
public record ClipTextOutput(List<Tensor> hiddenStates, Tensor penultimate, Tensor lastHiddenState,
                             Tensor pooledOutput, Tensor textEmbeds, int[] poolingIndex) {
}
