package org.amused4j.train.joint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.amused4j.io.AtomicFiles;
import org.amused4j.io.SafeTensorsWriter;
import org.amused4j.nn.Module;
import org.amused4j.tensor.AmusedException;
import org.amused4j.text.ClipTextEncoder;
import org.amused4j.text.ClipTokenizer;
import org.amused4j.uvit.UVit2DModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes trained models as the components of a diffusers model folder, with the config keys the reference
 * libraries write (so transformers/diffusers load them as well as {@link org.amused4j.pipeline.AmusedModel}).
 */
final class ComponentWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ComponentWriter() {
    }

    /** {@code dir/config.json} and {@code dir/model.safetensors} of a {@code CLIPTextModelWithProjection}. */
    static void writeTextEncoder(Path dir, ClipTextEncoder encoder, ClipTokenizer tokenizer) {
        ObjectNode config = JSON.createObjectNode();
        config.putArray("architectures").add("CLIPTextModelWithProjection");
        config.put("attention_dropout", 0.0);
        config.put("bos_token_id", tokenizer.bosId());
        config.put("dropout", 0.0);
        config.put("initializer_factor", 1.0);
        config.put("initializer_range", 0.02);
        config.put("model_type", "clip_text_model");
        config.put("pad_token_id", tokenizer.padId());
        config.put("torch_dtype", "float32");
        config.put("transformers_version", "4.35.2");
        // The architecture keys, eos_token_id included (the legacy 2 that selects argmax pooling).
        config.setAll((ObjectNode) JSON.valueToTree(encoder.config()));
        write(dir, config, "model", encoder);
    }

    /** {@code dir/config.json} and {@code dir/diffusion_pytorch_model.safetensors} of a {@code UVit2DModel}. */
    static void writeTransformer(Path dir, UVit2DModel transformer) {
        ObjectNode config = JSON.createObjectNode();
        config.put("_class_name", "UVit2DModel");
        config.put("_diffusers_version", "0.25.0");
        config.put("attention_dropout", 0.0);
        config.put("hidden_dropout", 0.0);
        config.setAll((ObjectNode) JSON.valueToTree(transformer.config()));
        write(dir, config, UVit2DModel.WEIGHTS_FILE, transformer);
    }

    private static void write(Path dir, ObjectNode config, String weightsName, Module model) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new AmusedException(dir + ": cannot create the folder (" + e.getMessage() + ")", e);
        }
        byte[] json = config.toPrettyString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        AtomicFiles.write(dir.resolve("config.json"), "model config", out -> out.write(json));
        SafeTensorsWriter weights = new SafeTensorsWriter().metadata("format", "pt");
        model.parameters("", weights::f32);
        weights.write(dir.resolve(weightsName + ".safetensors"));
    }
}
