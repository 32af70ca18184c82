package org.amused4j.train;

import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AdamWTest {

    @Test
    void decaysBeforeTheAdamUpdateAndOnlyInTheDecayGroup() {
        Parameter weight = Parameter.trainable("proj.weight", Tensor.of(new float[] {1f, -2f, 0.5f}, 3));
        Parameter bias = Parameter.trainable("proj.bias", Tensor.of(new float[] {1f, -2f, 0.5f}, 3));
        float[] g = {0.3f, -1e-3f, 0f};
        System.arraycopy(g, 0, weight.grad(), 0, 3);
        System.arraycopy(g, 0, bias.grad(), 0, 3);
        double lr = 0.1;
        double wd = 0.5;
        AdamW opt = new AdamW(ParameterGroups.splitByName(List.of(weight, bias), wd), AdamSettings.DEFAULTS);
        opt.step(lr);
        float[] start = {1f, -2f, 0.5f};
        for (int i = 0; i < 3; i++) {
            double update = lr * g[i] / (Math.abs(g[i]) + 1e-8);
            assertThat((double) weight.value()[i]).isCloseTo(start[i] * (1 - lr * wd) - update, within(1e-6));
            assertThat((double) bias.value()[i]).isCloseTo(start[i] - update, within(1e-6));
        }
        assertThat(opt.state(weight).step()).isEqualTo(1);
        assertThat(opt.state(weight).expAvg()[0]).isCloseTo(0.03f, within(1e-8f));
        assertThat(opt.state(weight).expAvgSq()[0]).isCloseTo(9e-5f, within(1e-11f));
    }

    @Test
    void biasCorrectionMakesAConstantGradientMoveByTheLearningRate() {
        Parameter p = Parameter.trainable("w", Tensor.of(new float[] {0f}, 1));
        AdamW opt = new AdamW(ParameterGroups.splitByName(List.of(p), 0), AdamSettings.DEFAULTS);
        for (int s = 1; s <= 50; s++) {
            p.grad()[0] = 2f;
            opt.step(1e-2);
            assertThat((double) p.value()[0]).as("after step %d", s).isCloseTo(-1e-2 * s, within(1e-6 * s));
        }
    }

    @Test
    void frozenParametersGetNoStateAndStateIsEightBytesPerElement() {
        Parameter frozen = Parameter.frozen("base.weight", Tensor.of(new float[] {1, 2}, 2));
        Parameter trained = Parameter.trainable("lora_A.weight", Tensor.zeros(4, 5));
        AdamW opt = new AdamW(ParameterGroups.splitByName(List.of(frozen, trained), 0.01), AdamSettings.DEFAULTS);
        opt.step(1e-3);
        assertThat(frozen.value()).containsExactly(1, 2);
        assertThat(opt.state(frozen)).isNull();
        assertThat(opt.stateBytes()).isEqualTo(8L * 20);
    }
}
