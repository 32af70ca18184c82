package org.amused4j.uvit;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.amused4j.io.Configs;

import java.nio.file.Path;

/**
 * {@code transformer/config.json} of a {@code UVit2DModel} (spec 01 §3). Every architecture key is
 * required: the hub configs carry all of them, and guessing a default would silently build another model.
 * Dropout rates and metadata keys are ignored.
 */
public record UVit2DConfig(
        @JsonProperty(value = "hidden_size", required = true) int hiddenSize,
        @JsonProperty(value = "use_bias", required = true) boolean useBias,
        @JsonProperty(value = "cond_embed_dim", required = true) int condEmbedDim,
        @JsonProperty(value = "micro_cond_encode_dim", required = true) int microCondEncodeDim,
        @JsonProperty(value = "micro_cond_embed_dim", required = true) int microCondEmbedDim,
        @JsonProperty(value = "encoder_hidden_size", required = true) int encoderHiddenSize,
        @JsonProperty(value = "vocab_size", required = true) int vocabSize,
        @JsonProperty(value = "codebook_size", required = true) int codebookSize,
        @JsonProperty(value = "in_channels", required = true) int inChannels,
        @JsonProperty(value = "block_out_channels", required = true) int blockOutChannels,
        @JsonProperty(value = "num_res_blocks", required = true) int numResBlocks,
        @JsonProperty(value = "downsample", required = true) boolean downsample,
        @JsonProperty(value = "upsample", required = true) boolean upsample,
        @JsonProperty(value = "block_num_heads", required = true) int blockNumHeads,
        @JsonProperty(value = "num_hidden_layers", required = true) int numHiddenLayers,
        @JsonProperty(value = "num_attention_heads", required = true) int numAttentionHeads,
        @JsonProperty(value = "intermediate_size", required = true) int intermediateSize,
        @JsonProperty(value = "layer_norm_eps", required = true) double layerNormEps,
        @JsonProperty(value = "ln_elementwise_affine", required = true) boolean lnElementwiseAffine,
        @JsonProperty(value = "sample_size", required = true) int sampleSize) {

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
        return Configs.read(file, UVit2DConfig.class);
    }
}
