package org.amused4j.train;

import org.amused4j.pipeline.AmusedModel;
import org.amused4j.sampling.SeededRandomSource;
import org.amused4j.tensor.Tensor;
import org.amused4j.train.data.BatchEncoder;
import org.amused4j.train.data.BatchSampler;
import org.amused4j.train.data.TrainingData;
import org.amused4j.train.loss.MaskedBatch;
import org.amused4j.train.loss.MaskedCrossEntropy;
import org.amused4j.train.loss.MaskingRule;
import org.amused4j.uvit.LoraAdapters;
import org.amused4j.uvit.UVit2DModel;

import java.util.List;

/**
 * The fine-tuning loop of {@code train_amused.py} (spec 09 §3-7) around a loaded model: one {@link #step} is one
 * optimizer step over {@code gradAccum} micro-batches. Every random choice (shuffle, crops, mask times and positions,
 * conditioning dropout) comes from one {@link SeededRandomSource}, in that order per micro-batch, so a run is a
 * function of the seed and a checkpoint that stores the source's state continues it exactly.
 *
 * <p>Conditioning dropout is implemented as intended, not as written (trap 41): with probability
 * {@code condDropout} a sample's caption embeddings are replaced by the empty prompt's, which is what classifier-free
 * guidance needs; the script keeps the caption with that probability instead, and in folder mode acts on the wrong
 * batch.
 */
public final class Trainer {
    private final AmusedModel model;
    private final TrainingConfig config;
    private SeededRandomSource random;
    private final BatchSampler sampler;
    private final BatchEncoder encoder;
    private final LoraAdapters adapters;
    private final List<Parameter> parameters;
    private final ParameterGroups groups;
    private final Optimizer optimizer;
    private final Ema ema;
    private final LrSchedule schedule;
    private final MaskingRule masking;
    private final TransformerTrainingPass pass;
    private final BatchEncoder.TextEmbedding empty;
    private int step;

    /** What one optimizer step did. */
    public record StepResult(int step, double loss, double lr, float gradNorm) {
    }

    /**
     * Prepares training of {@code model}'s transformer (attaching fresh LoRA adapters in LoRA mode, so pass a freshly
     * loaded model) on {@code data}.
     */
    public Trainer(AmusedModel model, TrainingData data, TrainingConfig config) {
        this.model = model;
        this.config = config;
        this.random = new SeededRandomSource(config.seed());
        UVit2DModel transformer = model.transformer();
        if (config.usesLora()) {
            adapters = LoraAdapters.attach(transformer, config.lora(), LoraAdapters.peftInitialization(config.seed()));
            // Only the adapters: enumerating the frozen transformer would widen its half-precision weights.
            parameters = TransformerTrainingPass.parameters(adapters, n -> true);
        } else {
            adapters = null;
            parameters = TransformerTrainingPass.parameters(transformer, n -> true);
        }
        this.groups = ParameterGroups.splitByName(parameters, config.weightDecay());
        this.optimizer = config.use8bitAdam() ? new AdamW8bit(groups, config.adam()) : new AdamW(groups, config.adam());
        this.ema = config.usesEma() ? new Ema(trainable(), config.emaDecay(), config.emaUpdateAfterStep()) : null;
        this.schedule = config.schedule();
        this.masking = new MaskingRule(transformer.config().vocabSize() - 1, config.minMaskingRate());
        this.pass = new TransformerTrainingPass(transformer, parameters, new MaskedCrossEntropy(),
                config.gradientCheckpointing());
        this.sampler = new BatchSampler(data, config.resolution(), random);
        this.encoder = new BatchEncoder(data, config.resolution(), model.vq(), model.tokenizer(), model.textEncoder());
        this.empty = encoder.text("");
    }

    /** One optimizer step: forward/backward over every micro-batch, clipping, the update, EMA. */
    public StepResult step() {
        groups.zeroGrad();
        double lossSum = 0;
        for (int micro = 0; micro < config.gradAccum(); micro++) {
            BatchEncoder.Encoded batch = encoder.encode(sampler.next(config.batchSize(), random));
            MaskedBatch masked = masking.apply(batch.tokens(), batch.batch(), random);
            TransformerTrainingPass.Conditioning text = dropConditioning(batch);
            lossSum += pass.run(masked.inputIds(), batch.gridHeight(), batch.gridWidth(), masked.labels(), text,
                    false, 1f / config.gradAccum()).loss();
        }
        float norm = config.maxGradNorm() > 0 ? GradientClipping.clipByTotalNorm(parameters, config.maxGradNorm())
                : Float.NaN;
        double lr = config.lr() * schedule.factor(step);
        optimizer.step(lr);
        if (ema != null) {
            ema.step();
        }
        step++;
        return new StepResult(step, lossSum / config.gradAccum(), lr, norm);
    }

    /** The batch's text conditioning, each sample's replaced by the empty prompt's with probability p. */
    private TransformerTrainingPass.Conditioning dropConditioning(BatchEncoder.Encoded batch) {
        Tensor hidden = batch.encoderHiddenStates();
        Tensor pooled = batch.pooledTextEmb();
        if (config.condDropout() > 0) {
            float[] u = random.next(batch.batch());
            for (int b = 0; b < u.length; b++) {
                if (u[b] < config.condDropout()) {
                    copyRow(empty.hiddenStates(), hidden, b);
                    copyRow(empty.pooled(), pooled, b);
                }
            }
        }
        return new TransformerTrainingPass.Conditioning(hidden, pooled, batch.microConds());
    }

    private static void copyRow(Tensor one, Tensor batch, int row) {
        System.arraycopy(one.data(), 0, batch.data(), row * one.size(), one.size());
    }

    public int stepsDone() {
        return step;
    }

    public TrainingConfig config() {
        return config;
    }

    public AmusedModel model() {
        return model;
    }

    /** The LoRA adapters being trained, or null in full fine-tuning. */
    public LoraAdapters adapters() {
        return adapters;
    }

    /** The trained parameters (the adapters in LoRA mode, every transformer weight otherwise). */
    public List<Parameter> trainable() {
        return parameters.stream().filter(Parameter::isTrainable).toList();
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** The EMA, or null without {@code --ema}. */
    public Ema ema() {
        return ema;
    }

    public BatchSampler sampler() {
        return sampler;
    }

    public BatchEncoder encoder() {
        return encoder;
    }

    /** The random source's position (for checkpoints). */
    public long randomState() {
        return random.state();
    }

    /** Puts the loop where a checkpoint left it; the weights, optimizer and EMA are restored by the caller. */
    void restorePosition(int stepsDone, long randomState, BatchSampler.State data) {
        this.step = stepsDone;
        this.random = new SeededRandomSource(randomState);
        this.sampler.restore(data);
    }
}
