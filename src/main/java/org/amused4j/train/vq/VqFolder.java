package org.amused4j.train.vq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.amused4j.io.AtomicFiles;
import org.amused4j.io.SafeTensorsWriter;
import org.amused4j.tensor.AmusedException;
import org.amused4j.vq.VqConfig;
import org.amused4j.vq.VqModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a VQ model as a diffusers {@code vqvae/} folder ({@code config.json} + float32 safetensors). */
public final class VqFolder {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private VqFolder() {
    }

    /**
     * Creates {@code dir} if needed and writes the model into it, loadable by {@link VqModel#load}.
     *
     * @param sampleSize the image size it was trained on (the config's {@code sample_size})
     */
    public static void save(VqModel model, int sampleSize, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new AmusedException(dir + ": cannot create the output folder (" + e.getMessage() + ")", e);
        }
        byte[] config;
        try {
            config = JSON.writeValueAsBytes(configJson(model.config(), sampleSize));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        AtomicFiles.write(dir.resolve("config.json"), "VQ config", out -> out.write(config));
        SafeTensorsWriter weights = new SafeTensorsWriter();
        model.namedParameters().forEach(weights::f32);
        weights.write(dir.resolve(VqModel.WEIGHTS_FILE));
    }

    /** Every key of diffusers' {@code VQModel} config, as {@code VQModel.save_pretrained} writes them. */
    static Map<String, Object> configJson(VqConfig c, int sampleSize) {
        int blocks = c.blockOutChannels().size();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("_class_name", "VQModel");
        json.put("_diffusers_version", "0.25.0");
        json.put("act_fn", "silu");
        json.put("block_out_channels", c.blockOutChannels());
        json.put("down_block_types", Collections.nCopies(blocks, "DownEncoderBlock2D"));
        json.put("force_upcast", c.forceUpcast());
        json.put("in_channels", c.inChannels());
        json.put("latent_channels", c.latentChannels());
        json.put("layers_per_block", c.layersPerBlock());
        json.put("lookup_from_codebook", true);
        json.put("mid_block_add_attention", false);
        json.put("norm_num_groups", c.normNumGroups());
        json.put("norm_type", "group");
        json.put("num_vq_embeddings", c.numVqEmbeddings());
        json.put("out_channels", c.outChannels());
        json.put("sample_size", sampleSize);
        json.put("scaling_factor", 0.18215);
        json.put("up_block_types", Collections.nCopies(blocks, "UpDecoderBlock2D"));
        json.put("vq_embed_dim", c.vqEmbedDim());
        return json;
    }
}
