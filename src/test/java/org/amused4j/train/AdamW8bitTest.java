package org.amused4j.train;

import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AdamW8bitTest {
    private static final double LR = 0.1;
    private static final double WD = 0.5;

    @Test
    void smallTensorsKeepFloat32MomentsAndLargeOnesAreQuantized() {
        Parameter small = randomParameter("small.weight", AdamW8bit.MIN_8BIT_SIZE - 1, 1);
        Parameter large = randomParameter("large.weight", AdamW8bit.MIN_8BIT_SIZE, 2);
        AdamW8bit opt = new AdamW8bit(ParameterGroups.splitByName(List.of(small, large), WD), AdamSettings.DEFAULTS);
        assertThat(opt.isQuantized(large)).as("no state before the first step").isFalse();
        opt.step(LR);
        assertThat(opt.isQuantized(small)).isFalse();
        assertThat(opt.isQuantized(large)).isTrue();
        int blocks = AdamW8bit.MIN_8BIT_SIZE / AdamW8bit.BLOCK_SIZE;
        assertThat(opt.stateBytes()).isEqualTo(8L * small.numel() + 2L * large.numel() + 8L * blocks);
    }

    /**
     * Step 1 moves every element by -lr * g / (|g| + eps) whatever the state layout (the update uses the
     * un-quantized moments), and weight decay multiplies the result afterwards: (p - u) * (1 - lr*wd),
     * unlike torch's p * (1 - lr*wd) - u (which would differ here by u*lr*wd = 0.005).
     */
    @Test
    void firstStepAppliesDecayAfterTheUpdate() {
        for (int n : new int[] {100, 3 * AdamW8bit.BLOCK_SIZE * 7 + 5}) {
            Parameter p = randomParameter("w", n, n);
            float[] before = p.value().clone();
            AdamW8bit opt = new AdamW8bit(ParameterGroups.splitByName(List.of(p), WD), AdamSettings.DEFAULTS);
            opt.step(LR);
            for (int i = 0; i < n; i++) {
                double g = p.grad()[i];
                double expected = (before[i] - LR * g / (Math.abs(g) + 1e-8)) * (1 - LR * WD);
                assertThat((double) p.value()[i]).as("n=%d element %d", n, i).isCloseTo(expected, within(2e-6));
            }
        }
    }

    @Test
    void noDecayGroupIsOnlyMovedByAdam() {
        Parameter bias = randomParameter("proj.bias", 5000, 3);
        float[] before = bias.value().clone();
        new AdamW8bit(ParameterGroups.splitByName(List.of(bias), WD), AdamSettings.DEFAULTS).step(LR);
        for (int i = 0; i < before.length; i++) {
            double g = bias.grad()[i];
            assertThat((double) bias.value()[i]).isCloseTo(before[i] - LR * g / (Math.abs(g) + 1e-8), within(2e-6));
        }
    }

    @Test
    void storedMomentsAreTheBlockwiseQuantizedOnesAndKeepTheSignOfM() {
        Parameter p = randomParameter("w", 20 * AdamW8bit.BLOCK_SIZE + 17, 4);
        // gradients spanning several decades inside each block
        Random random = new Random(5);
        for (int i = 0; i < p.numel(); i++) {
            p.grad()[i] = (float) ((random.nextBoolean() ? 1 : -1) * Math.pow(10, -6 * random.nextDouble()));
        }
        AdamW8bit opt = new AdamW8bit(ParameterGroups.splitByName(List.of(p), 0), AdamSettings.DEFAULTS);
        opt.step(1e-3);
        float[] m = opt.firstMoment(p);
        float[] v = opt.secondMoment(p);
        for (int from = 0; from < p.numel(); from += AdamW8bit.BLOCK_SIZE) {
            int to = Math.min(p.numel(), from + AdamW8bit.BLOCK_SIZE);
            float max1 = 0;
            float max2 = 0;
            for (int i = from; i < to; i++) {
                max1 = Math.max(max1, 0.1f * Math.abs(p.grad()[i]));
                max2 = Math.max(max2, 0.001f * p.grad()[i] * p.grad()[i]);
            }
            for (int i = from; i < to; i++) {
                float g = p.grad()[i];
                float exactM = 0.1f * g;
                // quantization error <= half the map's largest gap (0.0140625 signed, 0.00703 unsigned) x absmax
                assertThat(m[i]).as("m[%d]", i).isCloseTo(exactM, within(0.00704f * max1 + 2 * Math.ulp(max1)));
                assertThat(v[i]).as("v[%d]", i).isCloseTo(0.001f * g * g, within(0.00352f * max2 + 2 * Math.ulp(max2)));
                if (exactM < 0) {
                    assertThat(m[i]).as("sign of m[%d]", i).isNegative();
                }
            }
        }
    }

    @Test
    void nonFiniteGradientsAreSkippedAndTheirMomentsReset() {
        Parameter p = randomParameter("w", 2 * AdamW8bit.MIN_8BIT_SIZE, 6);
        AdamW8bit opt = new AdamW8bit(ParameterGroups.splitByName(List.of(p), WD), AdamSettings.DEFAULTS);
        opt.step(LR);
        float[] before = p.value().clone();
        p.grad()[10] = Float.NaN;
        p.grad()[300] = Float.POSITIVE_INFINITY;
        opt.step(LR);
        for (int i : new int[] {10, 300}) {
            assertThat(p.value()[i]).isEqualTo(before[i]);
            assertThat(opt.firstMoment(p)[i]).isZero();
            assertThat(opt.secondMoment(p)[i]).isZero();
        }
        assertThat(p.value()[11]).isNotEqualTo(before[11]);
        assertThat(opt.firstMoment(p)[11]).isNotZero();
    }

    @Test
    void frozenParametersAreLeftAlone() {
        Parameter frozen = Parameter.frozen("base.weight", Tensor.of(new float[] {1, 2, 3}, 3));
        AdamW8bit opt = new AdamW8bit(ParameterGroups.splitByName(List.of(frozen), WD), AdamSettings.DEFAULTS);
        opt.step(LR);
        assertThat(frozen.value()).containsExactly(1, 2, 3);
        assertThat(opt.firstMoment(frozen)).isNull();
        assertThat(opt.stateBytes()).isZero();
    }

    private static Parameter randomParameter(String name, int n, long seed) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        Parameter p = Parameter.trainable(name, Tensor.of(values, n));
        for (int i = 0; i < n; i++) {
            p.grad()[i] = (float) (random.nextGaussian() * 0.1);
        }
        return p;
    }
}
