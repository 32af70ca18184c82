package org.amused4j.train;

import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class GradientClippingTest {

    @Test
    void scalesAllGradientsByOneFactorToTheMaxNorm() {
        Parameter a = withGrad("a", 3f, 0f);
        Parameter b = withGrad("b", 0f, 4f, 0f);
        Parameter frozen = Parameter.frozen("f", Tensor.of(new float[] {100f}, 1));
        float total = GradientClipping.clipByTotalNorm(List.of(a, b, frozen), 1.0);
        assertThat(total).isEqualTo(5f);
        float coefficient = 1f / (5f + 1e-6f);
        assertThat(a.grad()).containsExactly(3f * coefficient, 0f);
        assertThat(b.grad()).containsExactly(0f, 4f * coefficient, 0f);
    }

    @Test
    void leavesGradientsBelowTheMaxNormUntouched() {
        Parameter a = withGrad("a", 0.3f, -0.4f);
        assertThat(GradientClipping.clipByTotalNorm(List.of(a), 0.5)).isCloseTo(0.5f, within(1e-7f));
        // 0.5 / (0.5 + 1e-6) < 1: torch scales even at the limit
        assertThat(a.grad()[0]).isLessThan(0.3f);
        Parameter b = withGrad("b", 0.3f, -0.4f);
        GradientClipping.clipByTotalNorm(List.of(b), 10);
        assertThat(b.grad()).containsExactly(0.3f, -0.4f);
    }

    @Test
    void largeGradientsGiveTheExactNormWhateverTheThreads() {
        Random random = new Random(3);
        float[] g = new float[3_000_001];
        double sum = 0;
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) random.nextGaussian();
            sum += (double) g[i] * g[i];
        }
        Parameter p = withGrad("big", g);
        float total = GradientClipping.clipByTotalNorm(List.of(p), 1.0);
        assertThat((double) total).isCloseTo(Math.sqrt(sum), within(Math.sqrt(sum) * 1e-7));
        double clipped = 0;
        for (float x : p.grad()) {
            clipped += (double) x * x;
        }
        assertThat(Math.sqrt(clipped)).isCloseTo(1.0, within(1e-5));
    }

    private static Parameter withGrad(String name, float... grad) {
        Parameter p = Parameter.trainable(name, Tensor.zeros(grad.length));
        System.arraycopy(grad, 0, p.grad(), 0, grad.length);
        return p;
    }
}
