package org.amused4j.train.loss;

/**
 * One batch after masking (spec 09 §3), all [batch, seqLen] row-major.
 *
 * @param inputIds the transformer input: the mask id where masked, the image token elsewhere
 * @param labels   the image token where masked, {@link MaskedCrossEntropy#IGNORE_INDEX} elsewhere
 * @param mask     true where masked
 * @param maskedCounts number of masked positions per image
 */
public record MaskedBatch(int[] inputIds, int[] labels, boolean[] mask, int[] maskedCounts) {
}
