package org.amused4j.train.loss;

import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The loss against a double-precision reference and its gradient against finite differences of it. */
class MaskedCrossEntropyTest {
    private static final int B = 2;
    private static final int V = 7;
    private static final int H = 3;
    private static final int W = 5;
    private static final int L = H * W;

    @ParameterizedTest(name = "label smoothing {0}")
    @ValueSource(doubles = {0, 0.1, 1})
    void lossAndGradientMatchADoubleReference(double eps) {
        float[] z = new float[B * V * L];
        Random r = new Random(5);
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (r.nextGaussian() * 3);
        }
        int[] labels = new int[B * L];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 3 == 0 ? MaskedCrossEntropy.IGNORE_INDEX : r.nextInt(V);
        }
        MaskedCrossEntropy.Result result = new MaskedCrossEntropy(eps).evaluate(Tensor.of(z, B, V, H, W), labels);

        double[] zd = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            zd[i] = z[i];
        }
        assertThat(result.counted()).isEqualTo(20);
        assertThat((double) result.loss()).isCloseTo(reference(zd, labels, eps), within(1e-6));
        double h = 1e-6;
        for (int i = 0; i < z.length; i++) {
            double saved = zd[i];
            zd[i] = saved + h;
            double plus = reference(zd, labels, eps);
            zd[i] = saved - h;
            double minus = reference(zd, labels, eps);
            zd[i] = saved;
            assertThat((double) result.gradLogits().data()[i]).as("d loss / d z[%d]", i)
                    .isCloseTo((plus - minus) / (2 * h), within(1e-7));
        }
    }

    /** torch: mean over labelled rows of (1 − ε)·(−log p_label) + ε·mean_c(−log p_c). */
    private static double reference(double[] z, int[] labels, double eps) {
        double total = 0;
        int n = 0;
        for (int b = 0; b < B; b++) {
            for (int p = 0; p < L; p++) {
                int label = labels[b * L + p];
                if (label == MaskedCrossEntropy.IGNORE_INDEX) {
                    continue;
                }
                double sum = 0;
                for (int c = 0; c < V; c++) {
                    sum += Math.exp(z[(b * V + c) * L + p]);
                }
                double smooth = 0;
                for (int c = 0; c < V; c++) {
                    smooth -= (z[(b * V + c) * L + p] - Math.log(sum)) / V;
                }
                double nll = Math.log(sum) - z[(b * V + label) * L + p];
                total += (1 - eps) * nll + eps * smooth;
                n++;
            }
        }
        return total / n;
    }

    @Test
    void rejectsLabelsOutsideTheClassesAndBatchesWithoutLabels() {
        Tensor logits = Tensor.zeros(1, 3, 2);
        MaskedCrossEntropy loss = new MaskedCrossEntropy();
        assertThatThrownBy(() -> loss.evaluate(logits, new int[]{3, -100}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 3");
        assertThatThrownBy(() -> loss.evaluate(logits, new int[]{-100, -100}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no position");
        assertThatThrownBy(() -> loss.evaluate(logits, new int[]{0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 labels");
        assertThatThrownBy(() -> new MaskedCrossEntropy(-0.1)).hasMessageContaining("label smoothing");
    }
}
