package org.amused4j.train.vq;

/**
 * One progress report of {@link VqTrainer}, averaged over the steps since the previous report.
 *
 * @param codesUsed  distinct codes chosen in those steps
 * @param perplexity exp(entropy) of the code frequencies in those steps (the effective number of codes)
 * @param revived    codes re-initialised since the previous report
 */
public record VqProgress(int step, int steps, double lossMse, double lossCommitment, double lossTotal, int codesUsed,
                         double perplexity, int revived, double learningRate, double elapsedSeconds,
                         double imagesPerSecond) {
}
