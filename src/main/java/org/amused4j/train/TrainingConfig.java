package org.amused4j.train;

import org.amused4j.tensor.AmusedException;
import org.amused4j.uvit.LoraAdapters;

import java.util.List;

/**
 * A fine-tuning run's settings: {@code train_amused.py}'s arguments (spec 09 §1) under Java names.
 *
 * @param lora                  the adapters to train, or null to fine-tune the whole transformer
 * @param maxGradNorm           clip gradients to this total L2 norm; 0 = no clipping
 * @param condDropout           probability of training a sample on the empty prompt instead of its caption
 * @param emaDecay              0 = no EMA, else the EMA's maximum decay
 * @param checkpointEvery       0 = no intermediate checkpoints
 * @param checkpointsTotalLimit 0 = keep every checkpoint
 * @param validationEvery       0 = no validation images
 */
public record TrainingConfig(int resolution, int batchSize, int gradAccum, double lr, String lrScheduler,
                             int lrWarmupSteps, int maxSteps, AdamSettings adam, double weightDecay,
                             boolean use8bitAdam, double maxGradNorm, float minMaskingRate, double condDropout,
                             LoraAdapters.Config lora, double emaDecay, int emaUpdateAfterStep, long seed,
                             boolean gradientCheckpointing, int checkpointEvery, int checkpointsTotalLimit,
                             List<String> validationPrompts, int validationEvery) {

    public TrainingConfig {
        require(resolution > 0, "--resolution must be positive, got " + resolution);
        require(batchSize > 0, "--batch-size must be positive, got " + batchSize);
        require(gradAccum > 0, "--grad-accum must be positive, got " + gradAccum);
        require(lr > 0, "--lr must be positive, got " + lr);
        require(maxSteps > 0, "--max-steps must be positive, got " + maxSteps);
        require(lrWarmupSteps >= 0, "--lr-warmup-steps must not be negative, got " + lrWarmupSteps);
        require(weightDecay >= 0, "--weight-decay must not be negative, got " + weightDecay);
        require(maxGradNorm >= 0, "--max-grad-norm must not be negative, got " + maxGradNorm);
        require(minMaskingRate >= 0 && minMaskingRate <= 1, "--min-masking-rate must lie in [0, 1], got "
                + minMaskingRate);
        require(condDropout >= 0 && condDropout <= 1, "--cond-dropout must lie in [0, 1], got " + condDropout);
        require(emaDecay >= 0 && emaDecay < 1, "--ema-decay must lie in [0, 1), got " + emaDecay);
        require(checkpointEvery >= 0 && checkpointsTotalLimit >= 0 && validationEvery >= 0,
                "--checkpoint-every, --checkpoints-total-limit and --validation-every must not be negative");
        LrSchedule.named(lrScheduler, lrWarmupSteps, maxSteps); // rejects unknown names now
        validationPrompts = List.copyOf(validationPrompts);
    }

    /** The script's defaults with the given resolution and step count (full fine-tuning, AdamW, no EMA). */
    public static TrainingConfig defaults(int resolution, int maxSteps) {
        return new TrainingConfig(resolution, 16, 1, 3e-4, "constant", 500, maxSteps, AdamSettings.DEFAULTS, 1e-2,
                false, 0, 0f, 0, null, 0, 0, 0, false, 500, 0, List.of(), 0);
    }

    public boolean usesEma() {
        return emaDecay > 0;
    }

    public boolean usesLora() {
        return lora != null;
    }

    public LrSchedule schedule() {
        return LrSchedule.named(lrScheduler, lrWarmupSteps, maxSteps);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new AmusedException(message);
        }
    }
}
