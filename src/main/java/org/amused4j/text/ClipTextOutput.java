package org.amused4j.text;

import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;

import java.util.List;
import java.util.Objects;

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

    /**
     * The backward of a {@link ClipTextEncoder#forward(int[][], Tape)} that returned this output: adds d loss /
     * d parameter into the tape's parameter gradients, given the upstream gradients a training step has for the
     * two conditioning outputs (the transformer's gradients w.r.t. its inputs). Either may be null, not both;
     * the last encoder layer and the final LayerNorm only receive gradient through the text embeddings.
     *
     * @param dPenultimate d loss / d {@link #penultimate} [batch, seq, width], or null
     * @param dTextEmbeds  d loss / d {@link #textEmbeds} [batch, projection_dim], or null
     */
    public void backward(Tape tape, Tensor dPenultimate, Tensor dTextEmbeds) {
        if (dTextEmbeds == null) {
            tape.backward(penultimate, Objects.requireNonNull(dPenultimate, "no upstream gradient"));
            return;
        }
        if (dPenultimate != null) {
            if (!dPenultimate.hasShape(penultimate.shape())) {
                throw new IllegalArgumentException("gradient " + dPenultimate + " for " + penultimate);
            }
            // Seeded before the backward starts: the steps that produced the penultimate states run after every
            // step of the later layers, so they see both contributions.
            float[] d = tape.gradientBuffer(penultimate);
            float[] src = dPenultimate.data();
            for (int i = 0; i < d.length; i++) {
                d[i] += src[i];
            }
        }
        tape.backward(textEmbeds, dTextEmbeds);
    }
}
