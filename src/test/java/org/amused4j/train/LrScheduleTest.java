package org.amused4j.train;

import org.amused4j.tensor.AmusedException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LrScheduleTest {

    @Test
    void constantIsOneFromTheFirstStep() {
        LrSchedule s = LrSchedule.named("constant", 500, 1000);
        assertThat(s.factor(0)).isEqualTo(1.0);
        assertThat(s.factor(10_000)).isEqualTo(1.0);
    }

    @Test
    void constantWithWarmupRampsLinearlyFromZero() {
        LrSchedule s = LrSchedule.named("constant_with_warmup", 500, 1000);
        assertThat(s.factor(0)).isEqualTo(0.0);
        assertThat(s.factor(1)).isEqualTo(1.0 / 500);
        assertThat(s.factor(250)).isEqualTo(0.5);
        assertThat(s.factor(499)).isEqualTo(499.0 / 500);
        assertThat(s.factor(500)).isEqualTo(1.0);
        assertThat(s.factor(5000)).isEqualTo(1.0);
        assertThat(LrSchedule.constantWithWarmup(0).factor(0)).as("no warm-up").isEqualTo(1.0);
    }

    @Test
    void cosineWarmsUpThenFollowsHalfACosineToZero() {
        LrSchedule s = LrSchedule.named("cosine", 100, 1100);
        assertThat(s.factor(0)).isEqualTo(0.0);
        assertThat(s.factor(50)).isEqualTo(0.5);
        assertThat(s.factor(100)).isEqualTo(1.0);
        assertThat(s.factor(350)).isCloseTo((1 + Math.sqrt(0.5)) / 2, within(1e-15));
        assertThat(s.factor(600)).isCloseTo(0.5, within(1e-15));
        assertThat(s.factor(850)).isCloseTo((1 - Math.sqrt(0.5)) / 2, within(1e-15));
        assertThat(s.factor(1100)).isCloseTo(0.0, within(1e-15));
        assertThat(s.factor(1500)).as("past the end the wave rises again: diffusers does not clamp the progress")
                .isCloseTo((1 + Math.cos(Math.PI * 1.4)) / 2, within(1e-15));
    }

    @Test
    void unknownNamesAreRejected() {
        assertThatThrownBy(() -> LrSchedule.named("linear_decay", 0, 10))
                .isInstanceOf(AmusedException.class).hasMessageContaining("linear_decay");
    }
}
