package org.amused4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.amused4j.io.FileWeights;
import org.amused4j.io.ModelFolder;
import org.amused4j.io.SafeTensors;
import org.amused4j.sampling.SchedulerConfig;
import org.amused4j.tensor.AmusedException;
import org.amused4j.text.ClipTextConfig;
import org.amused4j.text.ClipTextEncoder;
import org.amused4j.text.ClipTokenizer;
import org.amused4j.uvit.UVit2DConfig;
import org.amused4j.uvit.UVit2DModel;
import org.amused4j.vq.VqConfig;
import org.amused4j.vq.VqModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The five components of a diffusers aMUSEd folder, loaded.
 *
 * @param name a label for metadata (the folder's name)
 */
public record AmusedModel(String name, ClipTokenizer tokenizer, ClipTextEncoder textEncoder,
                          UVit2DModel transformer, VqModel vq, SchedulerConfig scheduler, MappedFiles mapped,
                          float defaultGuidance) {
    /**
     * An optional file in the model folder (diffusers loads only the components model_index.json names, so it
     * ignores it) with the settings the model was tuned for: {@code {"guidance_scale": 1.0}}. The built-in shapes
     * model has one; downloaded amused folders do not, and get diffusers' default guidance 10.
     */
    public static final String GENERATION_CONFIG = "generation_config.json";


    /**
     * The memory-mapped weight files of the text encoder, the transformer and the VQ. The pipeline releases their
     * resident pages once a stage no longer needs them (text encoder after encoding, transformer before the VQ
     * decode, VQ after it), so each stage's activations do not stack on top of the other stages' weight pages; the
     * next request faults them back in from the page cache.
     */
    public record MappedFiles(SafeTensors textEncoder, SafeTensors transformer, SafeTensors vq) {
        public static final MappedFiles NONE = new MappedFiles(null, null, null);

        void releaseTextEncoder() {
            release(textEncoder);
        }

        void releaseTransformer() {
            release(transformer);
        }

        void releaseVq() {
            release(vq);
        }

        private static void release(SafeTensors file) {
            if (file != null) {
                file.releasePages();
            }
        }
    }

    /**
     * Some transformers exports keep this buffer; positions are always 0..76, so it is not a weight (spec 02 §6).
     */
    private static final String CLIP_POSITION_IDS = "text_model.embeddings.position_ids";

    /** The VQ downsampling factor: pixels per token side (16 for the real models). */
    public int vqFactor() {
        return vq.config().downsampleFactor();
    }

    /**
     * Loads {@code folder} with the float32 weights ({@code variant == null}) or a variant such as "fp16"; a
     * component without any variant file falls back to its float32 file (see {@link ModelFolder#weights}).
     * Half-precision linear, embedding and convolution weights stay memory-mapped (widened as the GEMM packs them,
     * or per layer as a convolution runs; the mapping is released with the model), so the VQ encoder, which only
     * image-to-image and inpainting run, is never read by text-to-image; all other weights are widened to float32.
     */
    public static AmusedModel load(Path folder, String variant) {
        ModelFolder f = ModelFolder.open(folder);
        ClipTokenizer tokenizer = ClipTokenizer.load(f.componentDir(ModelFolder.TOKENIZER));
        ClipTextEncoder textEncoder;
        SafeTensors textFile;
        try (FileWeights w = FileWeights.openMapped(f.weights(ModelFolder.TEXT_ENCODER, variant).path())) {
            textEncoder = new ClipTextEncoder(ClipTextConfig.read(f.configPath(ModelFolder.TEXT_ENCODER)), w);
            w.checkAllUsed(CLIP_POSITION_IDS);
            textFile = w.file();
        }
        UVit2DModel transformer;
        SafeTensors transformerFile;
        try (FileWeights w = FileWeights.openMapped(f.weights(ModelFolder.TRANSFORMER, variant).path())) {
            transformer = new UVit2DModel(UVit2DConfig.read(f.configPath(ModelFolder.TRANSFORMER)), w);
            w.checkAllUsed();
            transformerFile = w.file();
        }
        VqModel vq;
        SafeTensors vqFile;
        try (FileWeights w = FileWeights.openMapped(f.weights(ModelFolder.VQVAE, variant).path())) {
            vq = new VqModel(VqConfig.read(f.configPath(ModelFolder.VQVAE)), w);
            w.checkAllUsed();
            vqFile = w.file();
        }
        SchedulerConfig scheduler = SchedulerConfig.read(f.configPath(ModelFolder.SCHEDULER));
        Path fileName = f.root().toAbsolutePath().normalize().getFileName();
        return new AmusedModel(fileName == null ? folder.toString() : fileName.toString(), tokenizer, textEncoder,
                transformer, vq, scheduler, new MappedFiles(textFile, transformerFile, vqFile),
                defaultGuidance(f.root().resolve(GENERATION_CONFIG)));
    }

    /** The guidance scale of a generation config file, or {@link GenerationOptions#defaults()}' when it is absent. */
    static float defaultGuidance(Path file) {
        float fallback = GenerationOptions.defaults().guidanceScale();
        if (!Files.isRegularFile(file)) {
            return fallback;
        }
        try {
            JsonNode g = new ObjectMapper().readTree(file.toFile()).get("guidance_scale");
            if (g == null) {
                return fallback;
            }
            if (!g.isNumber() || !Double.isFinite(g.asDouble())) {
                throw new AmusedException(file + ": guidance_scale must be a number, got " + g);
            }
            return (float) g.asDouble();
        } catch (IOException e) {
            throw new AmusedException(file + ": not a readable JSON file (" + e.getMessage() + ")", e);
        }
    }

    /** {@link GenerationOptions#defaults()} with this model's default guidance. */
    public GenerationOptions defaultOptions() {
        return GenerationOptions.defaults().withGuidanceScale(defaultGuidance);
    }
}
