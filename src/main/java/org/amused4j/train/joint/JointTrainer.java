package org.amused4j.train.joint;

import org.amused4j.io.RandomWeights;
import org.amused4j.io.Weights;
import org.amused4j.sampling.SeededRandomSource;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.amused4j.text.ClipTextConfig;
import org.amused4j.text.ClipTextEncoder;
import org.amused4j.text.ClipTokenizer;
import org.amused4j.train.AdamW;
import org.amused4j.train.GradientClipping;
import org.amused4j.train.LrSchedule;
import org.amused4j.train.Parameter;
import org.amused4j.train.ParameterGroups;
import org.amused4j.train.Trainer;
import org.amused4j.train.loss.MaskedBatch;
import org.amused4j.train.loss.MaskingRule;
import org.amused4j.uvit.UVit2DConfig;
import org.amused4j.uvit.UVit2DModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains a text encoder and a U-ViT from scratch, together, with aMUSEd's masked-token objective on cached VQ
 * token grids and their captions. One {@link #step}: draw a batch, replace each caption by the empty prompt with
 * probability {@code condDropout} (before the text encoder, so the encoder learns what the empty prompt must mean
 * for classifier-free guidance), encode the ids on a recording tape, mask the grids with the cosine schedule, run
 * the U-ViT forward/backward, continue the backward into the text encoder from the transformer's gradients w.r.t.
 * its text inputs, clip the total norm of both models' gradients and take one AdamW step. The forward and backward
 * run as {@link JointTrainingConfig#replicas()} data-parallel parts of the batch ({@link ReplicatedJointPass}).
 *
 * <p>Every random choice (sample indices, dropout, mask times and positions, in that order per step) comes from
 * one {@link SeededRandomSource}, and the initial weights from the seed too: a run is a function of its seed.
 */
public final class JointTrainer {
    private final ClipTextEncoder textEncoder;
    private final UVit2DModel transformer;
    private final ClipTokenizer tokenizer;
    private final JointTrainingConfig config;
    private final List<int[]> grids;
    private final int[][] captionIds;
    private final int[] emptyIds;
    private final int gridSide;
    private final SeededRandomSource random;
    private final List<Parameter> parameters;
    private final ParameterGroups groups;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final MaskingRule masking;
    private final ReplicatedJointPass pass;
    private final long startNanos = System.nanoTime();
    private int step;

    /** Called after every step with its result and the seconds since the trainer was created. */
    @FunctionalInterface
    public interface Listener {
        void onStep(Trainer.StepResult result, double elapsedSeconds);
    }

    /**
     * Trains the given models (normally {@link #freshTextEncoder}/{@link #freshTransformer}) in place.
     *
     * @param grids    square token grids, row-major, ids in [0, codebook_size)
     * @param captions one caption per grid; tokenized once here
     */
    public JointTrainer(ClipTextEncoder textEncoder, UVit2DModel transformer, ClipTokenizer tokenizer,
                        List<int[]> grids, List<String> captions, JointTrainingConfig config) {
        if (grids.isEmpty() || grids.size() != captions.size()) {
            throw new AmusedException("need one caption per token grid, got " + grids.size() + " grids and "
                    + captions.size() + " captions");
        }
        this.textEncoder = textEncoder;
        this.transformer = transformer;
        this.tokenizer = tokenizer;
        this.config = config;
        this.grids = List.copyOf(grids);
        this.gridSide = checkGrids(grids, transformer.config().codebookSize());
        this.captionIds = tokenizer.encode(captions);
        this.emptyIds = tokenizer.encode("");
        this.random = new SeededRandomSource(config.seed());
        List<Parameter> text = ReplicatedJointPass.named("text_encoder.", textEncoder);
        List<Parameter> uvit = ReplicatedJointPass.named("transformer.", transformer);
        this.parameters = new ArrayList<>(uvit);
        parameters.addAll(text);
        this.groups = ParameterGroups.splitByName(parameters, config.weightDecay());
        this.optimizer = new AdamW(groups, config.adam());
        this.schedule = config.schedule();
        this.masking = new MaskingRule(transformer.config().vocabSize() - 1, config.minMaskingRate());
        this.pass = new ReplicatedJointPass(textEncoder, transformer, uvit, text, config.imageSize(), gridSide,
                config.replicas());
    }

    /** A text encoder with the seed's initial weights. */
    public static ClipTextEncoder freshTextEncoder(ClipTextConfig config, long seed) {
        return new ClipTextEncoder(config, new RandomWeights(seed));
    }

    /**
     * A U-ViT with the seed's initial weights, except that every GlobalResponseNorm starts as the identity
     * (gamma = 0, as diffusers initialises it; {@link RandomWeights} would draw gamma at random).
     */
    public static UVit2DModel freshTransformer(UVit2DConfig config, long seed) {
        RandomWeights random = new RandomWeights(seed);
        Weights identityGrn = (name, shape) -> name.endsWith(".gamma") ? Tensor.zeros(shape)
                : random.get(name, shape);
        return new UVit2DModel(config, identityGrn);
    }

    /** One training batch: the text encoder's id rows (the empty prompt's where dropped) and the masked grids. */
    record Batch(int[][] ids, MaskedBatch masked) {
    }

    /** One optimizer step on one batch. */
    public Trainer.StepResult step() {
        groups.zeroGrad();
        float loss = accumulateGradients(nextBatch());
        float norm = config.maxGradNorm() > 0 ? GradientClipping.clipByTotalNorm(parameters, config.maxGradNorm())
                : Float.NaN;
        double lr = config.lr() * schedule.factor(step);
        optimizer.step(lr);
        step++;
        return new Trainer.StepResult(step, loss, lr, norm);
    }

    /** Draws the samples, the conditioning dropout and the masking, in that order. */
    Batch nextBatch() {
        int batch = config.batchSize();
        int seqLen = gridSide * gridSide;
        float[] pick = random.next(batch);
        float[] drop = random.next(batch);
        int[][] ids = new int[batch][];
        int[] tokens = new int[batch * seqLen];
        for (int b = 0; b < batch; b++) {
            int i = Math.min(grids.size() - 1, (int) (pick[b] * grids.size()));
            ids[b] = drop[b] < config.condDropout() ? emptyIds : captionIds[i];
            System.arraycopy(grids.get(i), 0, tokens, b * seqLen, seqLen);
        }
        return new Batch(ids, masking.apply(tokens, batch, random));
    }

    /**
     * Forward and backward of both models on {@code batch}: adds d loss / d parameter into every parameter's
     * gradient (the transformer's through its pass, the text encoder's by continuing the backward on the text
     * tape from the transformer's gradients w.r.t. encoder_hidden_states and pooled_text_emb); returns the loss.
     */
    float accumulateGradients(Batch batch) {
        return pass.run(batch);
    }

    /** Runs the remaining steps of the configured total, reporting each to {@code listener}. */
    public void run(Listener listener) {
        while (step < config.steps()) {
            Trainer.StepResult r = step();
            listener.onStep(r, (System.nanoTime() - startNanos) / 1e9);
        }
    }

    /**
     * Writes both models as diffusers components of {@code modelFolder}: {@code text_encoder/} (a transformers
     * {@code CLIPTextModelWithProjection}) and {@code transformer/} (a diffusers {@code UVit2DModel}).
     */
    public void save(Path modelFolder) {
        ComponentWriter.writeTextEncoder(modelFolder.resolve("text_encoder"), textEncoder, tokenizer);
        ComponentWriter.writeTransformer(modelFolder.resolve("transformer"), transformer);
    }

    private static int checkGrids(List<int[]> grids, int codebookSize) {
        int len = grids.getFirst().length;
        int side = (int) Math.round(Math.sqrt(len));
        if (side * side != len) {
            throw new AmusedException("token grids must be square, got " + len + " tokens");
        }
        for (int[] g : grids) {
            if (g.length != len) {
                throw new AmusedException("token grids of different sizes: " + g.length + " and " + len);
            }
            for (int id : g) {
                if (id < 0 || id >= codebookSize) {
                    throw new AmusedException("token id " + id + " outside the codebook of " + codebookSize);
                }
            }
        }
        return side;
    }

    public int stepsDone() {
        return step;
    }

    public JointTrainingConfig config() {
        return config;
    }

    public ClipTextEncoder textEncoder() {
        return textEncoder;
    }

    public UVit2DModel transformer() {
        return transformer;
    }

    /** Both models' parameters (the transformer's first), as the optimizer sees them. */
    public List<Parameter> parameters() {
        return List.copyOf(parameters);
    }
}
