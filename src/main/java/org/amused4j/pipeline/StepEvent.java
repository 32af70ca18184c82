package org.amused4j.pipeline;

import org.amused4j.tensor.Tensor;

/**
 * What a {@link StepListener} learns after each sampling step. Arrays are the pipeline's own; copy them to
 * keep them.
 *
 * @param step          index among the executed steps, from 0
 * @param totalSteps    number of steps this request executes
 * @param timestep      the scheduler timestep of the step (N−1 … 0)
 * @param inputTokens   the token grids entering the step, row-major [batch·h·w]
 * @param outputTokens  the token grids after the step
 * @param stillMasked   how many tokens of {@code outputTokens} are still the mask token
 * @param guidedLogits  the logits the scheduler sampled from [batch, codebook, h, w] (after guidance)
 */
public record StepEvent(int step, int totalSteps, int timestep, int batch, int height, int width,
                        int[] inputTokens, int[] outputTokens, int stillMasked, Tensor guidedLogits) {
}
