package org.amused4j.pipeline;

import org.amused4j.io.FileWeights;
import org.amused4j.sampling.SchedulerConfig;
import org.amused4j.tensor.AmusedException;
import org.amused4j.text.ClipTextConfig;
import org.amused4j.text.ClipTextEncoder;
import org.amused4j.text.ClipTokenizer;
import org.amused4j.uvit.UVit2DModel;
import org.amused4j.vq.VqModel;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The five components of a diffusers aMUSEd folder, loaded.
 *
 * @param name a label for metadata (the folder's name)
 */
public record AmusedModel(String name, ClipTokenizer tokenizer, ClipTextEncoder textEncoder,
                          UVit2DModel transformer, VqModel vq, SchedulerConfig scheduler) {

    /** The VQ downsampling factor: pixels per token side (16 for the real models). */
    public int vqFactor() {
        return vq.config().downsampleFactor();
    }

    /** Loads {@code folder} with the float32 weights ({@code variant == null}) or a variant such as "fp16". */
    public static AmusedModel load(Path folder, String variant) {
        if (!Files.isDirectory(folder)) {
            throw new AmusedException(folder + ": model folder not found");
        }
        if (!Files.isRegularFile(folder.resolve("model_index.json"))) {
            throw new AmusedException(folder + ": not a diffusers model folder (no model_index.json)");
        }
        ClipTokenizer tokenizer = ClipTokenizer.load(folder.resolve("tokenizer"));
        Path textDir = folder.resolve("text_encoder");
        ClipTextEncoder textEncoder;
        try (FileWeights w = FileWeights.open(textDir.resolve("model.safetensors"))) {
            textEncoder = new ClipTextEncoder(ClipTextConfig.read(textDir.resolve("config.json")), w);
            w.checkAllUsed();
        }
        UVit2DModel transformer = UVit2DModel.load(folder.resolve("transformer"), variant);
        VqModel vq = VqModel.load(folder.resolve("vqvae"));
        SchedulerConfig scheduler = SchedulerConfig.read(folder.resolve("scheduler/scheduler_config.json"));
        Path fileName = folder.toAbsolutePath().normalize().getFileName();
        return new AmusedModel(fileName == null ? folder.toString() : fileName.toString(), tokenizer, textEncoder,
                transformer, vq, scheduler);
    }
}
