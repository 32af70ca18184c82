package org.amused4j.train.vq;

import org.amused4j.tensor.AmusedException;
import org.amused4j.vq.VqConfig;

import java.util.List;

/**
 * How to train a VQ model from scratch.
 *
 * @param model          the architecture (a fresh model is initialised from {@code seed})
 * @param batchSize      images per optimizer step
 * @param steps          optimizer steps
 * @param learningRate   peak AdamW learning rate (linear warm-up, then half a cosine down to 0)
 * @param warmupSteps    warm-up steps
 * @param weightDecay    AdamW weight decay of the weights (biases and norms get none)
 * @param beta           commitment weight β
 * @param seed           initial weights, image order and code revival draw from it: same seed, same model
 * @param logEvery       steps between progress reports (also the window of the usage statistics)
 * @param deadAfterSteps a code not chosen for this many steps is re-initialised from an encoder output of the
 *                       current batch (0: never)
 * @param foregroundWeight how much more a pixel that differs from its image's background (the most common border
 *                       colour) counts in the reconstruction loss than a background pixel (1: plain MSE, the
 *                       golden data's loss). Flat-background images are mostly background, so plain MSE learns the
 *                       backgrounds first and leaves the shapes as blurred blobs for a long time.
 * @param replicas       the batch is cut into this many equal parts whose forward and backward passes run at the
 *                       same time, one per core, and whose gradients are averaged: the full batch's gradient up to
 *                       float rounding. Small VQ models use two cores far better this way than by splitting each
 *                       kernel. The numbers depend on this setting, never on the machine's core count.
 */
public record VqTrainingConfig(VqConfig model, int batchSize, int steps, double learningRate, int warmupSteps,
                               double weightDecay, double beta, long seed, int logEvery, int deadAfterSteps,
                               double foregroundWeight, int replicas) {
    public VqTrainingConfig {
        positive("batch size", batchSize);
        positive("steps", steps);
        positive("log interval", logEvery);
        positive("replicas", replicas);
        if (batchSize % replicas != 0) {
            throw new AmusedException("the batch of " + batchSize + " does not split into " + replicas
                    + " equal replicas");
        }
        if (!(learningRate > 0)) {
            throw new AmusedException("learning rate must be positive, is " + learningRate);
        }
        if (!(foregroundWeight >= 1)) {
            throw new AmusedException("the foreground weight must be at least 1, is " + foregroundWeight);
        }
        if (warmupSteps < 0 || deadAfterSteps < 0 || !(weightDecay >= 0) || !(beta >= 0)) {
            throw new AmusedException("warm-up steps, dead-code steps, weight decay and beta must not be negative");
        }
    }

    /**
     * A small VQ for 64×64 images: {@code blockOutChannels.size() − 1} halvings, {@code layersPerBlock} resnets
     * per encoder block (0: only the downsampling convolutions, which needs equal channels — the shapes recipe's
     * choice: on flat-coloured shapes the shallow network reaches a given reconstruction several times sooner),
     * 8 norm groups, no mid-block attention.
     */
    public static VqConfig smallModel(List<Integer> blockOutChannels, int layersPerBlock, int latentChannels,
                                      int embedDim, int codes) {
        return new VqConfig(3, 3, blockOutChannels, layersPerBlock, latentChannels, codes, embedDim, 8, false);
    }

    /** The defaults the recipe uses, for {@code model}, {@code steps} and {@code seed}. */
    public static VqTrainingConfig defaults(VqConfig model, int steps, long seed) {
        return new VqTrainingConfig(model, 8, steps, 2e-3, Math.min(100, steps / 10), 0.0, VqTrainingPass.DEFAULT_BETA,
                seed, 25, 50, 4, 2);
    }

    private static void positive(String what, int value) {
        if (value <= 0) {
            throw new AmusedException(what + " must be positive, is " + value);
        }
    }
}
