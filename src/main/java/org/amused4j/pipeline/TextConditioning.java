package org.amused4j.pipeline;

import org.amused4j.tensor.Tensor;
import org.amused4j.text.ClipTextEncoder;
import org.amused4j.text.ClipTextOutput;
import org.amused4j.text.ClipTokenizer;

/**
 * The transformer's text inputs for a whole request (spec 08 §1): CLIP penultimate hidden states and projected
 * pooled embeddings, tiled {@code imagesPerPrompt} times, and with guidance the negatives first:
 * rows = [negatives (tiled); prompts (tiled)].
 */
record TextConditioning(Tensor hiddenStates, Tensor pooled) {

    static TextConditioning encode(ClipTokenizer tokenizer, ClipTextEncoder encoder, Prompts prompts,
                                   int imagesPerPrompt, boolean guided) {
        // Prompts and negatives go through the encoder in separate calls, as diffusers does.
        ClipTextOutput positive = encoder.forward(tokenizer.encode(prompts.prompts()));
        Tensor hidden = tile(positive.penultimate(), imagesPerPrompt);
        Tensor pooled = tile(positive.textEmbeds(), imagesPerPrompt);
        if (guided) {
            ClipTextOutput negative = encoder.forward(tokenizer.encode(prompts.negativePrompts()));
            hidden = concat(tile(negative.penultimate(), imagesPerPrompt), hidden);
            pooled = concat(tile(negative.textEmbeds(), imagesPerPrompt), pooled);
        }
        return new TextConditioning(hidden, pooled);
    }

    /** Repeats the whole batch n times along dimension 0 ([a, b] → [a, b, a, b]). */
    static Tensor tile(Tensor t, int n) {
        int[] shape = t.shape();
        shape[0] *= n;
        float[] out = new float[t.size() * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(t.data(), 0, out, i * t.size(), t.size());
        }
        return Tensor.of(out, shape);
    }

    static int[] tile(int[] a, int n) {
        int[] out = new int[a.length * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a, 0, out, i * a.length, a.length);
        }
        return out;
    }

    /** Concatenates along dimension 0. */
    static Tensor concat(Tensor first, Tensor second) {
        int[] shape = first.shape();
        shape[0] += second.dim(0);
        float[] out = new float[first.size() + second.size()];
        System.arraycopy(first.data(), 0, out, 0, first.size());
        System.arraycopy(second.data(), 0, out, first.size(), second.size());
        return Tensor.of(out, shape);
    }
}
