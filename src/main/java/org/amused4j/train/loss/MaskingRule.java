package org.amused4j.train.loss;

import org.amused4j.sampling.RandomSource;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The training script's token masking (spec 09 §3, golden README §9.1): per image a uniform t gives the
 * mask rate p = max(cos(t·π/2), min_masking_rate), then exactly n = max(1, roundHalfEven(L·p)) positions
 * are masked, chosen by a random permutation. All of it in float32 as torch computes it, so the counts agree
 * at the rounding boundaries.
 */
public final class MaskingRule {
    private final int maskTokenId;
    private final float minMaskingRate;

    public MaskingRule(int maskTokenId, float minMaskingRate) {
        if (!(minMaskingRate >= 0 && minMaskingRate <= 1)) {
            throw new IllegalArgumentException("min_masking_rate must lie in [0, 1], got " + minMaskingRate);
        }
        this.maskTokenId = maskTokenId;
        this.minMaskingRate = minMaskingRate;
    }

    /** p = max(f32(cos(f32(f32(t·f32(π))·0.5))), min_masking_rate). */
    public float maskProbability(float t) {
        float half = t * (float) Math.PI * 0.5f;
        return Math.max((float) Math.cos(half), minMaskingRate);
    }

    /** n = max(1, roundHalfEven(f32(L·p))). */
    public int maskedCount(int seqLen, float t) {
        float expected = seqLen * maskProbability(t);
        return Math.max(1, (int) Math.rint(expected));
    }

    /**
     * argsort of each row of {@code u} [rows, len], ascending: the random permutation torch draws as
     * {@code argsort(rand(B, L))}. Ties (which uniforms in practice never have) keep index order.
     */
    public static int[] argsortRows(float[] u, int rows, int len) {
        int[] perm = new int[rows * len];
        for (int r = 0; r < rows; r++) {
            int base = r * len;
            Integer[] order = IntStream.range(0, len).boxed().toArray(Integer[]::new);
            Arrays.sort(order, Comparator.comparingDouble(j -> u[base + j]));
            for (int j = 0; j < len; j++) {
                perm[base + j] = order[j];
            }
        }
        return perm;
    }

    /**
     * Masks {@code tokens} [batch, seqLen] with the per-image {@code t} [batch] and permutations
     * {@code perm} [batch, seqLen]: position j of image b is masked iff perm[b, j] &lt; n[b] — the
     * permutation's VALUE at j, as the script compares, not the positions of the n smallest uniforms.
     */
    public MaskedBatch apply(int[] tokens, int batch, float[] t, int[] perm) {
        if (batch <= 0 || tokens.length % batch != 0 || perm.length != tokens.length || t.length != batch) {
            throw new IllegalArgumentException("tokens (" + tokens.length + "), permutations (" + perm.length
                    + ") and mask times (" + t.length + ") do not describe " + batch + " images");
        }
        int seqLen = tokens.length / batch;
        int[] inputIds = new int[tokens.length];
        int[] labels = new int[tokens.length];
        boolean[] mask = new boolean[tokens.length];
        int[] counts = new int[batch];
        for (int b = 0; b < batch; b++) {
            counts[b] = maskedCount(seqLen, t[b]);
            for (int j = b * seqLen; j < (b + 1) * seqLen; j++) {
                mask[j] = perm[j] < counts[b];
                inputIds[j] = mask[j] ? maskTokenId : tokens[j];
                labels[j] = mask[j] ? tokens[j] : MaskedCrossEntropy.IGNORE_INDEX;
            }
        }
        return new MaskedBatch(inputIds, labels, mask, counts);
    }

    /**
     * Draws the randomness as the script does — t for each image, then B·L uniforms whose row-wise argsort
     * is the permutation — and masks {@code tokens} [batch, seqLen].
     */
    public MaskedBatch apply(int[] tokens, int batch, RandomSource random) {
        float[] t = random.next(batch);
        float[] u = random.next(tokens.length);
        return apply(tokens, batch, t, argsortRows(u, batch, tokens.length / batch));
    }
}
