package org.amused4j.text;

import org.amused4j.io.Weights;
import org.amused4j.nn.Embedding;
import org.amused4j.nn.LayerNorm;
import org.amused4j.nn.Linear;
import org.amused4j.nn.Module;
import org.amused4j.nn.Tape;
import org.amused4j.nn.TensorOps;
import org.amused4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * CLIP's text tower with projection, as transformers' {@code CLIPTextModelWithProjection} (spec 04): token plus
 * position embeddings, pre-LN causal transformer blocks, a final LayerNorm, pooling at one position per row and
 * a bias-free projection. Parameters are requested by their HF names ({@code text_model.embeddings...},
 * {@code text_projection.weight}).
 *
 * <p>Pooling position: with the legacy {@code eos_token_id == 2} (aMUSEd's configs) the first position of the
 * row's largest id — the first EOS, since EOS 49407 is the largest CLIP id; otherwise the first position equal to
 * {@code eos_token_id} (0 if absent), as transformers does. A literal {@code <|endoftext|>} inside a prompt is
 * therefore the pooled token, which is the reference behaviour, deliberately kept.
 *
 * <p>Immutable after construction and safe to use from several threads.
 */
public final class ClipTextEncoder implements Module {
    private final ClipTextConfig config;
    private final Embedding tokenEmbedding;
    private final Embedding positionEmbedding;
    private final List<ClipEncoderLayer> layers = new ArrayList<>();
    private final LayerNorm finalNorm;
    private final Linear projection;

    public ClipTextEncoder(ClipTextConfig config, Weights weights) {
        this.config = config;
        int d = config.hiddenSize();
        Weights text = weights.prefixed("text_model");
        this.tokenEmbedding = new Embedding(text.prefixed("embeddings.token_embedding"), config.vocabSize(), d);
        this.positionEmbedding = new Embedding(text.prefixed("embeddings.position_embedding"),
                config.maxPositionEmbeddings(), d);
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new ClipEncoderLayer(config, text.prefixed("encoder.layers." + i)));
        }
        this.finalNorm = new LayerNorm(text.prefixed("final_layer_norm"), d, config.layerNormEps(), true, true);
        this.projection = new Linear(weights.prefixed("text_projection"), d, config.projectionDim(), false);
    }

    public ClipTextConfig config() {
        return config;
    }

    /** Encodes a batch of equally long id rows (normally 77 each) without keeping every hidden state. */
    public ClipTextOutput forward(int[][] ids) {
        return forward(ids, false, Tape.NONE);
    }

    /**
     * @param ids             [batch][seq] token ids, seq ≤ max_position_embeddings
     * @param allHiddenStates also return every layer's hidden states (tests, analysis); inference doesn't need them
     */
    public ClipTextOutput forward(int[][] ids, boolean allHiddenStates) {
        return forward(ids, allHiddenStates, Tape.NONE);
    }

    /**
     * The forward recorded on {@code tape} for training ({@code --train_text_encoder}); finish with
     * {@link ClipTextOutput#backward}. Each encoder layer is a {@link Tape#segment}, recomputed in the backward
     * under gradient checkpointing. With {@link Tape#NONE} this is the inference forward, bit for bit.
     */
    public ClipTextOutput forward(int[][] ids, Tape tape) {
        return forward(ids, false, tape);
    }

    /** {@link #forward(int[][], boolean)} recorded on {@code tape}. */
    public ClipTextOutput forward(int[][] ids, boolean allHiddenStates, Tape tape) {
        int batch = ids.length;
        int seq = checkIds(ids);
        Tensor h = embed(ids, batch, seq, tape);
        List<Tensor> hidden = new ArrayList<>();
        if (allHiddenStates) {
            hidden.add(h);
        }
        // hidden_states[-2]: the embeddings themselves when there is a single layer.
        Tensor penultimate = layers.size() == 1 ? h : null;
        for (int i = 0; i < layers.size(); i++) {
            ClipEncoderLayer layer = layers.get(i);
            Tensor input = h;
            h = tape.segment(segmentTape -> layer.forward(input, segmentTape));
            if (allHiddenStates) {
                hidden.add(h);
            }
            if (i == layers.size() - 2) {
                penultimate = h;
            }
        }
        Tensor last = finalNorm.forward(h, tape);
        int[] poolAt = new int[batch];
        for (int b = 0; b < batch; b++) {
            poolAt[b] = poolingIndex(ids[b]);
        }
        Tensor pooled = pool(last, poolAt, tape);
        return new ClipTextOutput(List.copyOf(hidden), penultimate, last, pooled, projection.forward(pooled, tape),
                poolAt);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        String text = prefix + "text_model.";
        tokenEmbedding.parameters(text + "embeddings.token_embedding.", sink);
        positionEmbedding.parameters(text + "embeddings.position_embedding.", sink);
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).parameters(text + "encoder.layers." + i + ".", sink);
        }
        finalNorm.parameters(text + "final_layer_norm.", sink);
        projection.parameters(prefix + "text_projection.", sink);
    }

    private int checkIds(int[][] ids) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        int seq = ids[0].length;
        if (seq == 0 || seq > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + seq + " outside 1.." + config.maxPositionEmbeddings());
        }
        for (int[] row : ids) {
            if (row.length != seq) {
                throw new IllegalArgumentException("rows of different lengths: " + row.length + " and " + seq);
            }
            for (int id : row) {
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " outside the vocabulary of " + config.vocabSize());
                }
            }
        }
        return seq;
    }

    /** token_embedding[ids] + position_embedding[0..seq-1], [batch, seq, width]. */
    private Tensor embed(int[][] ids, int batch, int seq, Tape tape) {
        int[] flat = new int[batch * seq];
        int[] positions = new int[batch * seq];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(ids[b], 0, flat, b * seq, seq);
            for (int i = 0; i < seq; i++) {
                positions[b * seq + i] = i;
            }
        }
        Tensor h = TensorOps.add(tokenEmbedding.forward(flat, tape), positionEmbedding.forward(positions, tape), tape);
        return h.reshape(batch, seq, config.hiddenSize());
    }

    /** Row poolAt[b] of each batch row b of {@code last} [batch, seq, width], as [batch, width]. */
    private static Tensor pool(Tensor last, int[] poolAt, Tape tape) {
        int batch = last.dim(0), seq = last.dim(1), d = last.dim(2);
        Tensor pooled = Tensor.zeros(batch, d);
        for (int b = 0; b < batch; b++) {
            System.arraycopy(last.data(), (b * seq + poolAt[b]) * d, pooled.data(), b * d, d);
        }
        tape.onBackward(pooled, dPooled -> {
            float[] dLast = tape.gradientBuffer(last);
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < d; j++) {
                    dLast[(b * seq + poolAt[b]) * d + j] += dPooled[b * d + j];
                }
            }
        });
        return pooled;
    }

    private int poolingIndex(int[] row) {
        if (config.eosTokenId() == ClipTextConfig.LEGACY_EOS_TOKEN_ID) {
            int at = 0;
            for (int i = 1; i < row.length; i++) {
                if (row[i] > row[at]) {
                    at = i;
                }
            }
            return at;
        }
        for (int i = 0; i < row.length; i++) {
            if (row[i] == config.eosTokenId()) {
                return i;
            }
        }
        return 0; // torch's argmax over an all-false mask
    }
}
