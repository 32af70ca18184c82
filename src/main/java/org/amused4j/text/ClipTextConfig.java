package org.amused4j.text;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.amused4j.io.Configs;
import org.amused4j.tensor.AmusedException;

import java.nio.file.Path;

/**
 * {@code text_encoder/config.json} of a {@code CLIPTextModelWithProjection} (spec 01 §5). The sizes are
 * required; {@code layer_norm_eps}, {@code hidden_act} and {@code eos_token_id} default to transformers'
 * {@code CLIPTextConfig} values (1e-5, quick_gelu, 2) when absent. Unknown keys are ignored.
 *
 * <p>{@code eos_token_id} is not the tokenizer's EOS id: aMUSEd's configs carry the legacy value 2, which only
 * selects the pooling rule (see {@link ClipTextEncoder}).
 *
 * @param hiddenAct {@code quick_gelu} (CLIP's x·σ(1.702x)) or {@code gelu} (exact, erf-based)
 */
public record ClipTextConfig(
        @JsonProperty(value = "hidden_size", required = true) int hiddenSize,
        @JsonProperty(value = "intermediate_size", required = true) int intermediateSize,
        @JsonProperty(value = "num_hidden_layers", required = true) int numHiddenLayers,
        @JsonProperty(value = "num_attention_heads", required = true) int numAttentionHeads,
        @JsonProperty(value = "max_position_embeddings", required = true) int maxPositionEmbeddings,
        @JsonProperty(value = "vocab_size", required = true) int vocabSize,
        @JsonProperty(value = "projection_dim", required = true) int projectionDim,
        @JsonProperty("layer_norm_eps") Double layerNormEps,
        @JsonProperty("hidden_act") String hiddenAct,
        @JsonProperty("eos_token_id") Integer eosTokenId) {

    /** The eos_token_id value that selects transformers' legacy "argmax of the ids" pooling. */
    public static final int LEGACY_EOS_TOKEN_ID = 2;

    public ClipTextConfig {
        layerNormEps = layerNormEps == null ? 1e-5 : layerNormEps;
        hiddenAct = hiddenAct == null ? "quick_gelu" : hiddenAct;
        eosTokenId = eosTokenId == null ? LEGACY_EOS_TOKEN_ID : eosTokenId;
        if (!hiddenAct.equals("quick_gelu") && !hiddenAct.equals("gelu")) {
            throw new AmusedException("hidden_act '" + hiddenAct + "' is not supported (quick_gelu or gelu)");
        }
        if (hiddenSize <= 0 || numAttentionHeads <= 0 || hiddenSize % numAttentionHeads != 0) {
            throw new AmusedException("hidden_size " + hiddenSize + " is not a positive multiple of"
                    + " num_attention_heads " + numAttentionHeads);
        }
        for (int size : new int[] {intermediateSize, numHiddenLayers, maxPositionEmbeddings, vocabSize, projectionDim}) {
            if (size <= 0) {
                throw new AmusedException("sizes must be positive, got " + size + " in " + this);
            }
        }
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Reads {@code config.json}; a missing required key or a bad value is an error naming the file and key. */
    public static ClipTextConfig read(Path file) {
        return Configs.read(file, ClipTextConfig.class);
    }
}
