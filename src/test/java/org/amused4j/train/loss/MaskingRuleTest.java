package org.amused4j.train.loss;

import org.amused4j.sampling.ReplayRandomSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaskingRuleTest {
    private static final int MASK = 99;

    @Test
    void tZeroMasksEverythingAndTNearOneStillMasksOne() {
        MaskingRule rule = new MaskingRule(MASK, 0f);
        assertThat(rule.maskedCount(64, 0f)).isEqualTo(64);
        assertThat(rule.maskedCount(64, 0.9999f)).isEqualTo(1);
    }

    /** With the rate clamped to exactly 0.5, L·p lands on .5 and rounds half to even, as torch.round does. */
    @ParameterizedTest(name = "L={0} -> {1}")
    @CsvSource({"1,1", "3,2", "5,2", "7,4", "9,4"})
    void countsRoundHalfToEven(int seqLen, int expected) {
        MaskingRule rule = new MaskingRule(MASK, 0.5f);
        assertThat(rule.maskProbability(0.99f)).isEqualTo(0.5f);
        assertThat(rule.maskedCount(seqLen, 0.99f)).isEqualTo(expected);
    }

    @Test
    void theRateIsTheFloat32CosineNotTheExactOne() {
        // cos(π/3) is 0.5 exactly, but f32(f32(f32(2/3)·f32(π))·0.5) is a little above π/3.
        float p = new MaskingRule(MASK, 0f).maskProbability(2f / 3f);
        assertThat(p).isLessThan(0.5f).isEqualTo((float) Math.cos(2f / 3f * (float) Math.PI * 0.5f));
    }

    @Test
    void masksThePositionsWhosePermutationValueIsBelowTheCount() {
        MaskingRule rule = new MaskingRule(MASK, 0f);
        int[] tokens = {10, 11, 12, 13, 20, 21, 22, 23};
        // Image 0: t = 0.5 -> p = cos(π/4) -> round(2.83) = 3 masked; image 1: t = 0 -> all 4.
        int[] perm = {3, 0, 2, 1, 1, 3, 0, 2};
        MaskedBatch m = rule.apply(tokens, 2, new float[]{0.5f, 0f}, perm);
        assertThat(m.maskedCounts()).containsExactly(3, 4);
        assertThat(m.mask()).containsExactly(false, true, true, true, true, true, true, true);
        assertThat(m.inputIds()).containsExactly(10, MASK, MASK, MASK, MASK, MASK, MASK, MASK);
        assertThat(m.labels()).containsExactly(-100, 11, 12, 13, 20, 21, 22, 23);
    }

    @Test
    void drawsTheTimesThenThePermutationUniforms() {
        float[] stream = {0.5f, 0.25f, 0.9f, 0.1f, 0.5f, 0.3f, 0.2f, 0.7f, 0.6f, 0.4f};
        int[] tokens = {1, 2, 3, 4, 5, 6, 7, 8};
        MaskingRule rule = new MaskingRule(MASK, 0.1f);
        MaskedBatch drawn = rule.apply(tokens, 2, new ReplayRandomSource(stream));
        int[] perm = MaskingRule.argsortRows(new float[]{0.9f, 0.1f, 0.5f, 0.3f, 0.2f, 0.7f, 0.6f, 0.4f}, 2, 4);
        assertThat(perm).containsExactly(1, 3, 2, 0, 0, 3, 2, 1);
        MaskedBatch given = rule.apply(tokens, 2, new float[]{0.5f, 0.25f}, perm);
        assertThat(drawn.inputIds()).containsExactly(given.inputIds());
        assertThat(drawn.labels()).containsExactly(given.labels());
    }

    @Test
    void rejectsInconsistentShapesAndRates() {
        MaskingRule rule = new MaskingRule(MASK, 0f);
        assertThatThrownBy(() -> rule.apply(new int[6], 2, new float[]{0f, 0f}, new int[5]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("permutations (5)");
        assertThatThrownBy(() -> new MaskingRule(MASK, 1.5f)).hasMessageContaining("min_masking_rate");
    }
}
