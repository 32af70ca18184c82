package org.amused4j.train;

import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EmaTest {

    @Test
    void decayIsZeroAtTheFirstStepThenRampsToItsCap() {
        Ema ema = Ema.withDefaults(List.of());
        assertThat(ema.decay(1)).isZero();
        assertThat(ema.decay(2)).isEqualTo(2.0 / 11);
        assertThat(ema.decay(11)).isEqualTo(11.0 / 20);
        assertThat(ema.decay(89_990)).isLessThan(0.9999);
        assertThat(ema.decay(89_992)).isEqualTo(0.9999);
        assertThat(ema.decay(1_000_000)).isEqualTo(0.9999);
    }

    @Test
    void updateAfterStepDelaysTheRamp() {
        Ema ema = new Ema(List.of(), 0.999, 3);
        assertThat(ema.decay(1)).isZero();
        assertThat(ema.decay(4)).isZero();
        assertThat(ema.decay(5)).isEqualTo(2.0 / 11);
        assertThat(ema.decay(100_000)).isEqualTo(0.999);
    }

    @Test
    void firstStepCopiesThenAveragesTrainableAndCopiesFrozen() {
        Parameter w = Parameter.trainable("w", Tensor.of(new float[] {1f, 2f}, 2));
        Parameter frozen = Parameter.frozen("f", Tensor.of(new float[] {5f}, 1));
        Ema ema = Ema.withDefaults(List.of(w, frozen));
        w.value()[0] = 3f;
        frozen.value()[0] = 6f;
        ema.step();
        assertThat(ema.shadow(0)).containsExactly(3f, 2f);
        assertThat(ema.shadow(1)).containsExactly(6f);

        w.value()[0] = 14f;
        frozen.value()[0] = 7f;
        ema.step();
        // decay 2/11: shadow - (9/11) * (shadow - param) = 3 + 9
        assertThat(ema.shadow(0)[0]).isCloseTo(12f, within(1e-6f));
        assertThat(ema.shadow(0)[1]).isEqualTo(2f);
        assertThat(ema.shadow(1)).containsExactly(7f);
        assertThat(ema.steps()).isEqualTo(2);
    }

    @Test
    void copyToWritesTheAverageIntoTheModel() {
        Parameter w = Parameter.trainable("w", Tensor.of(new float[] {1f}, 1));
        Ema ema = Ema.withDefaults(List.of(w));
        w.value()[0] = 9f;
        ema.copyTo(List.of(w));
        assertThat(w.value()).containsExactly(1f);
        assertThatThrownBy(() -> ema.copyTo(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
