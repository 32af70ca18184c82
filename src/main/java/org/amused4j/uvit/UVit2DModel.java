package org.amused4j.uvit;

import org.amused4j.kernels.Parallel;
import org.amused4j.kernels.WeightPanels;
import org.amused4j.nn.Activations;
import org.amused4j.nn.Tape;
import org.amused4j.io.FileWeights;
import org.amused4j.io.Weights;
import org.amused4j.nn.Layouts;
import org.amused4j.nn.Linear;
import org.amused4j.nn.Module;
import org.amused4j.nn.RmsNorm;
import org.amused4j.nn.TensorOps;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * aMUSEd's token predictor, diffusers {@code UVit2DModel} (spec 05): token grid + text + micro-conditions
 * to logits over the VQ codebook. The forward is split in a per-prompt part, {@link #condition}, and a
 * per-step part, {@link #logits}, so the sampling loop pays for the text side once;
 * {@link #forward} composes the two.
 */
public final class UVit2DModel implements Module {
    /** The weight file of a diffusers model folder ({@code diffusion_pytorch_model[.variant].safetensors}). */
    public static final String WEIGHTS_FILE = "diffusion_pytorch_model";

    private final UVit2DConfig config;
    private final Linear encoderProj;
    private final RmsNorm encoderProjNorm;
    private final CondEmbedding condEmbed;
    private final ConvEmbed embed;
    private final UVitBlock downBlock;
    private final RmsNorm projectToHiddenNorm;
    private final Linear projectToHidden;
    private final List<TransformerLayer> transformerLayers = new ArrayList<>();
    private final RmsNorm projectFromHiddenNorm;
    private final Linear projectFromHidden;
    private final UVitBlock upBlock;
    private final ConvMlmLayer mlmLayer;
    /** What the inference passes hand back, lent to the next ones (the sampler runs the same pass every step). */
    private final Activations activations = new Activations();

    /** Builds the model, asking {@code weights} for every parameter by its diffusers name and shape. */
    public UVit2DModel(UVit2DConfig config, Weights weights) {
        this.config = config;
        UVit2DConfig c = config;
        double eps = c.layerNormEps();
        boolean affine = c.lnElementwiseAffine();
        this.encoderProj = new Linear(weights.prefixed("encoder_proj"), c.encoderHiddenSize(), c.hiddenSize(),
                c.useBias());
        this.encoderProjNorm = new RmsNorm(weights.prefixed("encoder_proj_layer_norm"), c.hiddenSize(), eps, affine);
        this.embed = new ConvEmbed(c, weights.prefixed("embed"));
        this.condEmbed = new CondEmbedding(c, weights.prefixed("cond_embed"));
        this.downBlock = new UVitBlock(c, weights.prefixed("down_block"), c.downsample(), false);
        this.projectToHiddenNorm = new RmsNorm(weights.prefixed("project_to_hidden_norm"), c.blockOutChannels(),
                eps, affine);
        this.projectToHidden = new Linear(weights.prefixed("project_to_hidden"), c.blockOutChannels(),
                c.hiddenSize(), c.useBias());
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            transformerLayers.add(new TransformerLayer(c, weights.prefixed("transformer_layers." + l)));
        }
        this.projectFromHiddenNorm = new RmsNorm(weights.prefixed("project_from_hidden_norm"), c.hiddenSize(),
                eps, affine);
        this.projectFromHidden = new Linear(weights.prefixed("project_from_hidden"), c.hiddenSize(),
                c.blockOutChannels(), c.useBias());
        this.upBlock = new UVitBlock(c, weights.prefixed("up_block"), false, c.upsample());
        this.mlmLayer = new ConvMlmLayer(c, weights.prefixed("mlm_layer"));
    }

    /** Loads a diffusers {@code transformer/} folder (config.json + the float32 weight file). */
    public static UVit2DModel load(Path folder) {
        return load(folder, null);
    }

    /**
     * Loads a diffusers {@code transformer/} folder with the weights of a variant file
     * ({@code "fp16"} → {@code diffusion_pytorch_model.fp16.safetensors}; half-precision matrices stay mapped);
     * {@code variant == null} selects the default file. Extra tensors in the file are an error.
     */
    public static UVit2DModel load(Path folder, String variant) {
        UVit2DConfig config = UVit2DConfig.read(folder.resolve("config.json"));
        Path file = folder.resolve(WEIGHTS_FILE + (variant == null ? "" : "." + variant) + ".safetensors");
        if (!Files.isRegularFile(file)) {
            throw new AmusedException(file + ": transformer weight file not found");
        }
        try (FileWeights weights = FileWeights.openMapped(file)) {
            UVit2DModel model = new UVit2DModel(config, weights);
            weights.checkAllUsed();
            return model;
        }
    }

    public UVit2DConfig config() {
        return config;
    }

    /** {@link #condition(Tensor, Tensor, Tensor, Trace)} without tracing. */
    public Conditioning condition(Tensor encoderHiddenStates, Tensor pooledTextEmb, Tensor microConds) {
        return condition(encoderHiddenStates, pooledTextEmb, microConds, Trace.NONE);
    }

    /**
     * The per-prompt part of the forward (spec 05 §2.1, §2.2) plus everything of the per-step part that
     * depends only on its result.
     *
     * @param encoderHiddenStates CLIP penultimate hidden states [B, Lt, encoder_hidden_size]
     * @param pooledTextEmb       CLIP projected pooled embedding [B, cond_embed_dim]
     * @param microConds          [B, micro-cond count] = [width, height, crop0, crop1, aesthetic score]
     */
    public Conditioning condition(Tensor encoderHiddenStates, Tensor pooledTextEmb, Tensor microConds, Trace trace) {
        return condition(encoderHiddenStates, pooledTextEmb, microConds, trace, Tape.NONE);
    }

    /**
     * {@link #condition(Tensor, Tensor, Tensor, Trace)} recorded on {@code tape}, for training: the gradients
     * reach the text inputs through the returned conditioning (the micro-conditions are data).
     */
    public Conditioning condition(Tensor encoderHiddenStates, Tensor pooledTextEmb, Tensor microConds, Trace trace,
                                  Tape tape) {
        UVit2DConfig c = config;
        int batch = encoderHiddenStates.dim(0);
        requireShape("encoder_hidden_states", encoderHiddenStates, 3, batch, -1, c.encoderHiddenSize());
        requireShape("pooled_text_emb", pooledTextEmb, 2, batch, c.condEmbedDim());
        requireShape("micro_conds", microConds, 2, batch, c.microCondCount());

        Tensor encoderStates = encoderProjNorm.forward(encoderProj.forward(encoderHiddenStates, tape), tape);
        record(trace, tape, "encoder_proj_out", encoderStates);
        Tensor micro = SinusoidalEmbedding.embed(microConds, c.microCondEncodeDim());
        record(trace, tape, "micro_cond_embeds", micro);
        Tensor cond = condEmbed.forward(TensorOps.concatFeatures(pooledTextEmb, micro, tape), tape);
        record(trace, tape, "cond_embed_out", cond);

        Tensor siluCond = TensorOps.silu(cond, tape);
        List<TransformerLayer.Context> layers = transformerLayers.stream()
                .map(l -> l.condition(siluCond, encoderStates, tape)).toList();
        return new Conditioning(encoderStates, cond, downBlock.condition(siluCond, encoderStates, tape), layers,
                upBlock.condition(siluCond, encoderStates, tape));
    }

    /** {@link #logits(int[], int, int, Conditioning, Trace)} for a square token grid, without tracing. */
    public Tensor logits(int[] inputIds, Conditioning conditioning) {
        int perImage = inputIds.length / conditioning.batch();
        int side = (int) Math.round(Math.sqrt(perImage));
        if (side * side != perImage || perImage * conditioning.batch() != inputIds.length) {
            throw new IllegalArgumentException(inputIds.length + " token ids are not " + conditioning.batch()
                    + " square grids; pass the grid height and width");
        }
        return logits(inputIds, side, side, conditioning, Trace.NONE);
    }

    /**
     * The per-step part of the forward (spec 05 §2.3–2.9). Without a trace, a batch that divides evenly among the
     * threads of {@link Parallel} is run as that many independent passes, one group of images per thread, each
     * with serial kernels: the images never meet, so the threads share no activations and wait at no join
     * until the end (a batch-2 pass on two threads: see BENCHMARKS.md). The logits are the same bit for bit.
     *
     * @param inputIds row-major token grids [B·height·width], values below vocab_size (mask id included)
     * @return logits [B, codebook_size, height, width]
     */
    public Tensor logits(int[] inputIds, int height, int width, Conditioning conditioning, Trace trace) {
        int threads = Parallel.threadsHere();
        if (trace == Trace.NONE && threads > 1 && conditioning.batch() % threads == 0) {
            return logitsInGroups(inputIds, height, width, conditioning, threads);
        }
        return activations.pass(tape -> logits(inputIds, height, width, conditioning, trace, tape));
    }

    /** {@link #logits(int[], int, int, Conditioning, Trace)} as {@code groups} passes over equal runs of images. */
    Tensor logitsInGroups(int[] inputIds, int height, int width, Conditioning conditioning, int groups) {
        int batch = conditioning.batch();
        checkGrids(inputIds, batch, height, width);
        List<Conditioning> conditionings = conditioning.inGroups(groups);
        int idsPer = inputIds.length / groups;
        Tensor[] parts = new Tensor[groups];
        Parallel.forEach(groups, WeightPanels.carried(g -> {
            int[] ids = Arrays.copyOfRange(inputIds, g * idsPer, (g + 1) * idsPer);
            parts[g] = activations.pass(tape -> logits(ids, height, width, conditionings.get(g), Trace.NONE, tape));
        }));
        // Allocated only now: a young collection during the passes would otherwise find it alive and, too large for
        // the survivor spaces, promote it (amused-512: 64 MiB of old generation a pass, 42-44 ms pauses).
        Tensor logits = Tensor.zeros(batch, config.codebookSize(), height, width);
        int logitsPer = logits.size() / groups;
        // Each thread copies its group's logits, then hands their storage back to a shelf for the next step's pass.
        Parallel.forEach(groups, g -> activations.pass(tape -> {
            System.arraycopy(parts[g].data(), 0, logits.data(), g * logitsPer, logitsPer);
            tape.recycle(parts[g]);
            return null;
        }));
        return logits;
    }

    private static void checkGrids(int[] inputIds, int batch, int height, int width) {
        if (inputIds.length != batch * height * width) {
            throw new IllegalArgumentException(inputIds.length + " token ids for " + batch + " grids of "
                    + height + "x" + width);
        }
    }

    /**
     * {@link #logits(int[], int, int, Conditioning, Trace)} recorded on {@code tape}, for training; the
     * conditioning must come from {@link #condition} with the same tape. The activations named as in
     * {@link Trace} are retained on the tape (gradients readable by name when the tape keeps them).
     */
    public Tensor logits(int[] inputIds, int height, int width, Conditioning conditioning, Trace trace, Tape tape) {
        int batch = conditioning.batch();
        checkGrids(inputIds, batch, height, width);
        if (config.downsample() && (height % 2 != 0 || width % 2 != 0)) {
            throw new IllegalArgumentException("the down block halves the grid; " + height + "x" + width
                    + " is not even");
        }
        Tensor x = embed.forward(inputIds, batch, height, width, tape);
        record(trace, tape, "embed_out", x);
        x = downBlock.forward(x, conditioning.downBlock(), tape);
        record(trace, tape, "down_block_out", x);

        int channels = x.dim(1), innerH = x.dim(2), innerW = x.dim(3);
        Tensor t = Layouts.toNhwc(x, tape).reshape(batch, innerH * innerW, channels);
        t = projectToHidden.forward(projectToHiddenNorm.forward(t, tape), tape);
        record(trace, tape, "project_to_hidden_out", t);
        for (int l = 0; l < transformerLayers.size(); l++) {
            TransformerLayer layer = transformerLayers.get(l);
            TransformerLayer.Context context = conditioning.layers().get(l);
            Tensor input = t;
            // The only part the fine-tuning script checkpoints (spec 09 §8).
            t = tape.segment(segmentTape -> layer.forward(input, context, segmentTape));
            tape.recycle(input);
            record(trace, tape, "transformer_layer_" + l + "_out", t);
        }
        t = projectFromHidden.forward(projectFromHiddenNorm.forward(t, tape), tape);
        record(trace, tape, "project_from_hidden_out", t);
        x = Layouts.toNchw(t.reshape(batch, innerH, innerW, channels), tape);

        x = upBlock.forward(x, conditioning.upBlock(), tape);
        record(trace, tape, "up_block_out", x);
        Tensor logits = mlmLayer.forward(x, tape);
        record(trace, tape, "logits", logits);
        return logits;
    }

    /** The whole forward: {@link #condition} then {@link #logits}. */
    public Tensor forward(int[] inputIds, int height, int width, Tensor encoderHiddenStates, Tensor pooledTextEmb,
                          Tensor microConds, Trace trace) {
        return logits(inputIds, height, width, condition(encoderHiddenStates, pooledTextEmb, microConds, trace),
                trace);
    }

    private static void record(Trace trace, Tape tape, String name, Tensor value) {
        if (trace != Trace.NONE) {
            trace.record(name, value.copy());
        }
        tape.retain(name, value);
    }

    /** Every {@code Attention} module by its diffusers name, in parameter order (LoRA's targets). */
    void attentions(BiConsumer<String, Attention> sink) {
        downBlock.attentions("down_block.", sink);
        for (int l = 0; l < transformerLayers.size(); l++) {
            transformerLayers.get(l).attentions("transformer_layers." + l + ".", sink);
        }
        upBlock.attentions("up_block.", sink);
    }

    /** Every parameter by its diffusers name ({@code prefix} is "" for a standalone transformer). */
    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        encoderProj.parameters(prefix + "encoder_proj.", sink);
        encoderProjNorm.parameters(prefix + "encoder_proj_layer_norm.", sink);
        embed.parameters(prefix + "embed.", sink);
        condEmbed.parameters(prefix + "cond_embed.", sink);
        downBlock.parameters(prefix + "down_block.", sink);
        projectToHiddenNorm.parameters(prefix + "project_to_hidden_norm.", sink);
        projectToHidden.parameters(prefix + "project_to_hidden.", sink);
        for (int l = 0; l < transformerLayers.size(); l++) {
            transformerLayers.get(l).parameters(prefix + "transformer_layers." + l + ".", sink);
        }
        projectFromHiddenNorm.parameters(prefix + "project_from_hidden_norm.", sink);
        projectFromHidden.parameters(prefix + "project_from_hidden.", sink);
        upBlock.parameters(prefix + "up_block.", sink);
        mlmLayer.parameters(prefix + "mlm_layer.", sink);
    }

    /** Checks rank and dimensions; -1 accepts any size. */
    private static void requireShape(String what, Tensor t, int rank, int... dims) {
        boolean ok = t.rank() == rank;
        for (int i = 0; ok && i < dims.length; i++) {
            ok = dims[i] < 0 || t.dim(i) == dims[i];
        }
        if (!ok) {
            StringBuilder expected = new StringBuilder("[");
            for (int i = 0; i < dims.length; i++) {
                expected.append(i > 0 ? ", " : "").append(dims[i] < 0 ? "*" : String.valueOf(dims[i]));
            }
            throw new IllegalArgumentException(what + " must have shape " + expected + "], got " + t);
        }
    }
}
