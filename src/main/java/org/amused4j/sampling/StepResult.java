package org.amused4j.sampling;

/**
 * The outcome of one {@link AmusedScheduler#step}, all arrays flattened [B, L] row-major.
 *
 * @param prevSample          the tokens for the next step: the prediction with the least confident tokens re-masked
 * @param predOriginalSample  the sampled tokens merged with the given ones (a full image proposal, X0)
 * @param maskLength          per batch row, how many tokens were re-masked; empty at the last step (timestep 0)
 * @param confidence          log(probability of the chosen token) + temperature·Gumbel; null at the last step
 * @param remasked            true where {@code prevSample} was set back to the mask token
 */
public record StepResult(int[] prevSample, int[] predOriginalSample, int[] maskLength, float[] confidence,
                         boolean[] remasked) {
}
