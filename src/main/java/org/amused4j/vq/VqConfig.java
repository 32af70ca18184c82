package org.amused4j.vq;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.amused4j.io.Configs;
import org.amused4j.tensor.AmusedException;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

/**
 * The VQ-GAN's {@code vqvae/config.json} (diffusers {@code VQModel}), spec 01 §4.
 *
 * <p>Only the architecture aMUSEd uses is accepted: GroupNorm + SiLU everywhere, {@code DownEncoderBlock2D} /
 * {@code UpDecoderBlock2D} blocks, no mid-block attention, codebook lookup when decoding token ids. Keys
 * this code does not need ({@code scaling_factor}, {@code sample_size}, {@code _class_name}, ...) are ignored.
 *
 * @param vqEmbedDim codebook vector size ({@code vq_embed_dim}; null in the file means {@code latent_channels})
 * @param forceUpcast recorded for completeness: this implementation always computes the VQ in float32
 */
public record VqConfig(int inChannels, int outChannels, List<Integer> blockOutChannels, int layersPerBlock,
                       int latentChannels, int numVqEmbeddings, int vqEmbedDim, int normNumGroups,
                       boolean forceUpcast) {

    private static final String DOWN_BLOCK = "DownEncoderBlock2D";
    private static final String UP_BLOCK = "UpDecoderBlock2D";

    public VqConfig {
        blockOutChannels = List.copyOf(blockOutChannels);
        if (blockOutChannels.isEmpty()) {
            throw new AmusedException("block_out_channels is empty");
        }
        for (int c : blockOutChannels) {
            if (c <= 0 || c % normNumGroups != 0) {
                throw new AmusedException("block_out_channels " + blockOutChannels + ": every entry must be a positive"
                        + " multiple of norm_num_groups " + normNumGroups);
            }
        }
        requirePositive("in_channels", inChannels);
        requirePositive("out_channels", outChannels);
        if (layersPerBlock < 0) {
            throw new AmusedException("layers_per_block must not be negative, is " + layersPerBlock);
        }
        if (layersPerBlock == 0 && blockOutChannels.stream().distinct().count() > 1) {
            // diffusers: without resnets nothing changes the channel count between blocks.
            throw new AmusedException("layers_per_block 0 needs equal block_out_channels, got " + blockOutChannels);
        }
        requirePositive("latent_channels", latentChannels);
        requirePositive("num_vq_embeddings", numVqEmbeddings);
        requirePositive("vq_embed_dim", vqEmbedDim);
        requirePositive("norm_num_groups", normNumGroups);
    }

    /** Reads and validates a {@code config.json}; every problem is an {@link AmusedException} naming the file. */
    public static VqConfig read(Path file) {
        return Configs.read(file, VqConfig.class);
    }

    /**
     * Jackson's entry point: applies diffusers' defaults to absent optional keys and rejects the variants of
     * {@code VQModel} this code does not implement.
     */
    @JsonCreator
    static VqConfig fromJson(@JsonProperty("in_channels") Integer inChannels,
                             @JsonProperty("out_channels") Integer outChannels,
                             @JsonProperty("block_out_channels") List<Integer> blockOutChannels,
                             @JsonProperty("down_block_types") List<String> downBlockTypes,
                             @JsonProperty("up_block_types") List<String> upBlockTypes,
                             @JsonProperty("layers_per_block") Integer layersPerBlock,
                             @JsonProperty("act_fn") String actFn,
                             @JsonProperty("latent_channels") Integer latentChannels,
                             @JsonProperty("num_vq_embeddings") Integer numVqEmbeddings,
                             @JsonProperty("vq_embed_dim") Integer vqEmbedDim,
                             @JsonProperty("norm_num_groups") Integer normNumGroups,
                             @JsonProperty("norm_type") String normType,
                             @JsonProperty("mid_block_add_attention") Boolean midBlockAddAttention,
                             @JsonProperty("lookup_from_codebook") Boolean lookupFromCodebook,
                             @JsonProperty("force_upcast") Boolean forceUpcast) {
        List<Integer> blocks = required("block_out_channels", blockOutChannels);
        requireAll("down_block_types", downBlockTypes, DOWN_BLOCK, blocks.size());
        requireAll("up_block_types", upBlockTypes, UP_BLOCK, blocks.size());
        requireSupported("act_fn", orDefault(actFn, "silu"), "silu");
        requireSupported("norm_type", orDefault(normType, "group"), "group");
        // diffusers' VQModel defaults mid_block_add_attention to true, so an absent key means attention.
        if (orDefault(midBlockAddAttention, true)) {
            throw new AmusedException("mid_block_add_attention is true (or absent, which diffusers reads as true):"
                    + " mid-block attention is not implemented (aMUSEd's VQ has none)");
        }
        // The pipelines hand token ids to decode(force_not_quantize=True); without the lookup they would be
        // decoded as if they were latents.
        if (!orDefault(lookupFromCodebook, false)) {
            throw new AmusedException("lookup_from_codebook is false (or absent): decoding token ids needs the"
                    + " codebook lookup");
        }
        int latent = required("latent_channels", latentChannels);
        return new VqConfig(orDefault(inChannels, 3), orDefault(outChannels, 3), blocks,
                required("layers_per_block", layersPerBlock), latent,
                required("num_vq_embeddings", numVqEmbeddings), orDefault(vqEmbedDim, latent),
                required("norm_num_groups", normNumGroups), orDefault(forceUpcast, false));
    }

    /** Spatial reduction of the encoder: one stride-2 downsample per block but the last. */
    public int downsampleFactor() {
        return 1 << (blockOutChannels.size() - 1);
    }

    private static <T> T required(String key, T value) {
        if (value == null) {
            throw new AmusedException("missing required key '" + key + "'");
        }
        return value;
    }

    private static <T> T orDefault(T value, T fallback) {
        return value != null ? value : fallback;
    }

    private static void requireSupported(String key, String value, String supported) {
        if (!supported.equals(value)) {
            throw new AmusedException(key + " '" + value + "' is not supported (only '" + supported + "')");
        }
    }

    /** An absent block-type list means the standard type for every block. */
    private static void requireAll(String key, List<String> types, String supported, int blocks) {
        if (types == null) {
            return;
        }
        if (types.size() != blocks) {
            throw new AmusedException(key + " has " + types.size() + " entries but block_out_channels has " + blocks);
        }
        if (!types.equals(Collections.nCopies(blocks, supported))) {
            throw new AmusedException(key + " " + types + " is not supported (only " + supported + " blocks)");
        }
    }

    private static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new AmusedException(key + " must be positive, is " + value);
        }
    }
}
