package org.amused4j.train.recipe;

import org.amused4j.tensor.AmusedException;

/**
 * The settings of {@link ShapesRecipe}: how much data and how many steps each stage gets. {@link #standard()} is
 * what made the built-in model; {@link #quick()} runs every stage for a few steps (tests, a smoke check).
 *
 * @param seed            everything random in the run derives from it
 * @param images          captioned training images (rendered once, VQ-encoded once for the joint stage)
 * @param vocabularySize  the tokenizer's vocabulary bound (byte symbols + learnt merges + BOS/EOS)
 * @param maxTextLength   tokens per prompt: the tokenizer's model_max_length and the text encoder's positions
 * @param vqChannels      the VQ's block_out_channels (3 blocks: 64×64 images → 16×16 tokens)
 * @param vqLayers        the VQ's layers_per_block
 * @param vqLatent        the VQ encoder's latent_channels
 * @param vqEmbed         vq_embed_dim
 * @param codebookSize    num_vq_embeddings
 * @param vqSteps         VQ optimizer steps
 * @param vqBatch         VQ images per step
 * @param vqForegroundWeight the weight of shape pixels in the VQ's reconstruction loss
 * @param vqDecoderSteps  steps of the second VQ stage, the decoder alone tuned on the grids the transformer trains
 *                        on ({@link org.amused4j.train.vq.VqDecoderTuner}); 0: none
 * @param jointSteps      text encoder + transformer optimizer steps
 * @param jointBatch      samples per joint step
 * @param evalImages      held-out images generated and judged at the end (0: none)
 * @param guidance        the model's default guidance scale (its generation_config.json), also the evaluation's:
 *                        1 (none) for the shipped model — at 3 and 10 its shapes came out worse
 */
public record RecipeConfig(long seed, int images, int vocabularySize, int maxTextLength, int[] vqChannels,
                           int vqLayers, int vqLatent, int vqEmbed, int codebookSize, int vqSteps, int vqBatch,
                           double vqForegroundWeight, int vqDecoderSteps, int jointSteps,
                           int jointBatch, int evalImages, float guidance) {
    public RecipeConfig {
        if (images < 1 || vqSteps < 1 || jointSteps < 1 || vqBatch < 1 || jointBatch < 1 || evalImages < 0
                || vqDecoderSteps < 0) {
            throw new AmusedException("images, steps and batch sizes must be positive");
        }
        vqChannels = vqChannels.clone();
    }

    /**
     * The built-in model's recipe. Joint batch 16 rather than 32: at an equal number of samples (and about equal
     * time) batch 16 reached a lower loss (1.65 vs 1.90 after 4,800 samples; batch 8 was no better than 16).
     * 7000 VQ steps, 3000 decoder-tuning steps and 11,000 joint steps took 53.2 min (28 Nov 2026): the VQ trains at
     * ~107-115 images/s, its decoder alone at ~15 steps/s, and the joint step, run as two data-parallel halves,
     * takes ~0.225 s with the five-block U-ViT
     * ({@link org.amused4j.train.joint.JointTrainingConfig#shapesTransformer}); the rest of the hour is a margin
     * for slow phases of the machine. (The joint steps were 7000 at 0.39 s before the training kernels'
     * activations, GroupNorm and convolution input gradients ran in vector code; more steps have paid less and
     * less since: BENCHMARKS.md.)
     */
    public static RecipeConfig standard() {
        return new RecipeConfig(0, 20_000, 600, 24, new int[] {24, 24, 24}, 0, 16, 16, 512, 7000, 8, 4, 3000, 11_000,
                16, 200, 1f);
    }

    /** Every stage for a handful of steps on a handful of images: minutes become seconds, the model is noise. */
    public static RecipeConfig quick() {
        return new RecipeConfig(0, 64, 560, 24, new int[] {8, 8, 8}, 0, 8, 8, 64, 3, 4, 4, 2, 3, 8, 2, 1f);
    }

    public RecipeConfig withSeed(long value) {
        return new RecipeConfig(value, images, vocabularySize, maxTextLength, vqChannels, vqLayers, vqLatent, vqEmbed,
                codebookSize, vqSteps, vqBatch, vqForegroundWeight, vqDecoderSteps, jointSteps, jointBatch, evalImages,
                guidance);
    }

    public RecipeConfig withSteps(int vq, int joint) {
        return new RecipeConfig(seed, images, vocabularySize, maxTextLength, vqChannels, vqLayers, vqLatent, vqEmbed,
                codebookSize, vq, vqBatch, vqForegroundWeight, vqDecoderSteps, joint, jointBatch, evalImages, guidance);
    }
}
