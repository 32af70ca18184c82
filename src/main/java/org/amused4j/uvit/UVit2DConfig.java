package org.amused4j.uvit;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.amused4j.tensor.AmusedException;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;

/**
 * {@code transformer/config.json} of a {@code UVit2DModel} (spec 01 §3). Every architecture key is
 * required: the hub configs carry all of them, and guessing a default would silently build another model.
 * Dropout rates and metadata keys are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record UVit2DConfig(
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("use_bias") boolean useBias,
        @JsonProperty("cond_embed_dim") int condEmbedDim,
        @JsonProperty("micro_cond_encode_dim") int microCondEncodeDim,
        @JsonProperty("micro_cond_embed_dim") int microCondEmbedDim,
        @JsonProperty("encoder_hidden_size") int encoderHiddenSize,
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("codebook_size") int codebookSize,
        @JsonProperty("in_channels") int inChannels,
        @JsonProperty("block_out_channels") int blockOutChannels,
        @JsonProperty("num_res_blocks") int numResBlocks,
        @JsonProperty("downsample") boolean downsample,
        @JsonProperty("upsample") boolean upsample,
        @JsonProperty("block_num_heads") int blockNumHeads,
        @JsonProperty("num_hidden_layers") int numHiddenLayers,
        @JsonProperty("num_attention_heads") int numAttentionHeads,
        @JsonProperty("intermediate_size") int intermediateSize,
        @JsonProperty("layer_norm_eps") double layerNormEps,
        @JsonProperty("ln_elementwise_affine") boolean lnElementwiseAffine,
        @JsonProperty("sample_size") int sampleSize) {

    public UVit2DConfig {
        requirePositive("hidden_size", hiddenSize);
        requirePositive("cond_embed_dim", condEmbedDim);
        requirePositive("micro_cond_encode_dim", microCondEncodeDim);
        requirePositive("micro_cond_embed_dim", microCondEmbedDim);
        requirePositive("encoder_hidden_size", encoderHiddenSize);
        requirePositive("vocab_size", vocabSize);
        requirePositive("codebook_size", codebookSize);
        requirePositive("in_channels", inChannels);
        requirePositive("block_out_channels", blockOutChannels);
        requirePositive("num_res_blocks", numResBlocks);
        requirePositive("block_num_heads", blockNumHeads);
        requirePositive("num_hidden_layers", numHiddenLayers);
        requirePositive("num_attention_heads", numAttentionHeads);
        requirePositive("intermediate_size", intermediateSize);
        requirePositive("sample_size", sampleSize);
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException("layer_norm_eps must be positive, got " + layerNormEps);
        }
        if (microCondEmbedDim % microCondEncodeDim != 0) {
            throw new IllegalArgumentException("micro_cond_embed_dim " + microCondEmbedDim
                    + " is not a multiple of micro_cond_encode_dim " + microCondEncodeDim);
        }
        if (hiddenSize < numAttentionHeads || blockOutChannels < blockNumHeads) {
            throw new IllegalArgumentException("fewer channels than attention heads (hidden_size " + hiddenSize
                    + " / num_attention_heads " + numAttentionHeads + ", block_out_channels " + blockOutChannels
                    + " / block_num_heads " + blockNumHeads + ")");
        }
    }

    private static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }

    /** How many scalars {@code micro_conds} holds per image (5 for aMUSEd: width, height, crop0, crop1, aesthetic). */
    public int microCondCount() {
        return microCondEmbedDim / microCondEncodeDim;
    }

    /** Reads and validates a {@code config.json}; problems are reported with the file and the key. */
    public static UVit2DConfig read(Path file) {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode root;
        try {
            root = mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new AmusedException(file + ": cannot read transformer config: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new AmusedException(file + ": transformer config is not a JSON object");
        }
        for (RecordComponent c : UVit2DConfig.class.getRecordComponents()) {
            // @JsonProperty cannot target record components; the compiler propagates it to the accessor.
            String key = c.getAccessor().getAnnotation(JsonProperty.class).value();
            JsonNode value = root.get(key);
            if (value == null || value.isNull()) {
                throw new AmusedException(file + ": missing required key '" + key + "'");
            }
            boolean typeOk = c.getType() == boolean.class ? value.isBoolean()
                    : c.getType() == int.class ? value.isIntegralNumber() : value.isNumber();
            if (!typeOk) {
                throw new AmusedException(file + ": key '" + key + "' must be " + describe(c.getType())
                        + ", found " + value);
            }
        }
        try {
            return mapper.treeToValue(root, UVit2DConfig.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw new AmusedException(file + ": invalid transformer config: " + cause.getMessage(), e);
        }
    }

    private static String describe(Class<?> type) {
        return type == boolean.class ? "true or false" : type == int.class ? "an integer" : "a number";
    }
}
