package org.amused4j.train.joint;

import org.amused4j.tensor.AmusedException;
import org.amused4j.text.ClipTextConfig;
import org.amused4j.train.AdamSettings;
import org.amused4j.train.LrSchedule;
import org.amused4j.uvit.UVit2DConfig;

/**
 * Settings of a from-scratch run that trains a CLIP text encoder and a U-ViT together ({@link JointTrainer}), and
 * the small architectures chosen for the procedural shapes data (64×64 images, 8×8 VQ grids, short captions).
 *
 * @param steps          optimizer steps; also the length of the cosine decay
 * @param warmupSteps    linear warm-up of the learning rate, then a cosine decay to 0 at {@code steps}
 * @param condDropout    probability of training a sample on the empty prompt instead of its caption (what
 *                       classifier-free guidance needs)
 * @param minMaskingRate lower bound of the cosine masking rate
 * @param maxGradNorm    clip the total gradient norm of both models to this; 0 = no clipping
 * @param imageSize      the images' side in pixels: the micro-conditioning [size, size, 0, 0, 6] every sample gets
 * @param replicas       the batch is cut into this many equal parts, trained at once (one per core) and their
 *                       gradients summed: the same step up to float rounding, so a run depends on this count and
 *                       not on the machine's
 */
public record JointTrainingConfig(int steps, int batchSize, double lr, int warmupSteps, double weightDecay,
                                  AdamSettings adam, double condDropout, float minMaskingRate, double maxGradNorm,
                                  long seed, int imageSize, int replicas) {
    /** The hidden width of the shapes text encoder (and so of the transformer's encoder_hidden_states). */
    static final int TEXT_HIDDEN = 128;
    /** The text encoder's projection width (the transformer's pooled condition). */
    static final int TEXT_PROJECTION = 128;

    public JointTrainingConfig {
        require(steps > 0, "steps must be positive, got " + steps);
        require(batchSize > 0, "batch size must be positive, got " + batchSize);
        require(lr > 0, "learning rate must be positive, got " + lr);
        require(warmupSteps >= 0, "warm-up steps must not be negative, got " + warmupSteps);
        require(weightDecay >= 0, "weight decay must not be negative, got " + weightDecay);
        require(condDropout >= 0 && condDropout <= 1, "conditioning dropout must lie in [0, 1], got " + condDropout);
        require(minMaskingRate >= 0 && minMaskingRate <= 1, "min masking rate must lie in [0, 1], got "
                + minMaskingRate);
        require(maxGradNorm >= 0, "max grad norm must not be negative, got " + maxGradNorm);
        require(imageSize > 0, "image size must be positive, got " + imageSize);
        require(replicas > 0 && batchSize % replicas == 0, "a batch of " + batchSize + " does not split into "
                + replicas + " equal replicas");
    }

    /**
     * The shapes run's settings for {@code steps} steps (seed 0): batch 32, lr 2e-3 (stable at the shapes sizes
     * with clipping at 1; a 240-step probe on shapes captions went from loss 3.7 to 0.65), warm-up to 10% of the
     * run (at most 200 steps), AdamW betas (0.9, 0.99), weight decay 0.01, conditioning dropout 0.1, two replicas.
     */
    public static JointTrainingConfig defaults(int steps) {
        return new JointTrainingConfig(steps, 32, 2e-3, Math.min(200, steps / 10), 0.01,
                new AdamSettings(0.9, 0.99, 1e-8), 0.1, 0f, 1.0, 0, 64, 2);
    }

    public JointTrainingConfig withSeed(long value) {
        return new JointTrainingConfig(steps, batchSize, lr, warmupSteps, weightDecay, adam, condDropout,
                minMaskingRate, maxGradNorm, value, imageSize, replicas);
    }

    public JointTrainingConfig withBatchSize(int size) {
        return new JointTrainingConfig(steps, size, lr, warmupSteps, weightDecay, adam, condDropout,
                minMaskingRate, maxGradNorm, seed, imageSize, replicas);
    }

    public JointTrainingConfig withReplicas(int count) {
        return new JointTrainingConfig(steps, batchSize, lr, warmupSteps, weightDecay, adam, condDropout,
                minMaskingRate, maxGradNorm, seed, imageSize, count);
    }

    public LrSchedule schedule() {
        return LrSchedule.cosine(warmupSteps, steps);
    }

    /**
     * The shapes text encoder: CLIP's architecture (pre-LN causal transformer, quick_gelu, 77 positions, legacy
     * argmax pooling) at width {@value #TEXT_HIDDEN} with 2 layers, so that the transformer's encoder_hidden_states
     * (the penultimate hidden state) come from the first layer and the second feeds the pooled embedding.
     *
     * @param vocabSize the trained tokenizer's vocabulary size (its EOS id + 1)
     * @param maxLength the tokenizer's model_max_length (the shapes captions need 13 of CLIP's 77 positions)
     */
    public static ClipTextConfig shapesTextEncoder(int vocabSize, int maxLength) {
        return new ClipTextConfig(TEXT_HIDDEN, 4 * TEXT_HIDDEN, 2, 4, maxLength, vocabSize, TEXT_PROJECTION, 1e-5,
                "quick_gelu", ClipTextConfig.LEGACY_EOS_TOKEN_ID);
    }

    /**
     * The shapes U-ViT: 2 transformer layers of width 128 (GEGLU 512) on an 8×8 grid, five ConvNeXt+attention
     * blocks on each side, and the mask token as the last vocabulary entry ({@code vocab_size = codebook_size + 1},
     * mask id {@code codebook_size}, the scheduler's mask_token_id). A 16×16 token grid is halved before the blocks
     * and doubled after them (downsample/upsample, as amused-512 does), so only the token embedding and the output
     * layer see all 256 positions.
     *
     * <p>Why ConvNeXt blocks rather than transformer layers: the U-ViT has no position embeddings; a position is
     * known only through the zero padding of the 3×3 depthwise convolutions, one cell per block, and the transformer
     * layers cannot tell cells apart at all. With three blocks every cell of an 8×8 grid sees a border; five see
     * further, and in two 1000-step runs (BENCHMARKS.md, "A lead for the next model" and the fourth recipe run) five
     * blocks with two layers drew more training prompts' shapes right than three with four (35 vs 25 %, 44 vs 42 %)
     * at 0.37 vs 0.32 s a step. Width 128 rather than 256: on the 2-core machine width 256 trained at 20 samples/s,
     * 128 at about 30 (8×8 grid, batch 32).
     *
     * @param gridSide the VQ's token grid side: 8 or 16
     */
    public static UVit2DConfig shapesTransformer(int codebookSize, int gridSide) {
        if (gridSide != 8 && gridSide != 16) {
            throw new AmusedException("the shapes U-ViT takes an 8x8 or 16x16 token grid, not " + gridSide);
        }
        boolean halve = gridSide == 16;
        return new UVit2DConfig(128, false, TEXT_PROJECTION, 16, 80, TEXT_HIDDEN, codebookSize + 1, codebookSize,
                64, 128, 5, halve, halve, 4, 2, 4, 512, 1e-6, true, gridSide);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new AmusedException(message);
        }
    }
}
