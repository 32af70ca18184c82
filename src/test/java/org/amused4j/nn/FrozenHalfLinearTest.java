package org.amused4j.nn;

import org.amused4j.io.Weights;
import org.amused4j.tensor.Half;
import org.amused4j.tensor.HalfWeight;
import org.amused4j.tensor.Tensor;
import org.amused4j.tensor.Weight;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A linear layer whose weight stays in half precision (frozen: never enumerated as a parameter) back-propagates
 * exactly what the same layer with the widened float32 weight does: dX from the stored values, db into a trained
 * bias.
 */
class FrozenHalfLinearTest {
    private static final int IN = 40;
    private static final int OUT = 37;
    private static final int ROWS = 11;

    @Test
    void backwardThroughAHalfWeightEqualsTheFloat32Backward() {
        SplittableRandom random = new SplittableRandom(5);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(2L * OUT * IN);
            for (int i = 0; i < OUT * IN; i++) {
                bytes.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i,
                        Half.floatToBf16((float) random.nextGaussian()));
            }
            HalfWeight half = new HalfWeight(bytes, HalfWeight.Format.BF16, new int[] {OUT, IN});
            Tensor bias = randoms(random, OUT);
            Linear halfLayer = new Linear(weights(half, bias), IN, OUT, true);
            Linear floatLayer = new Linear(weights(Weight.of(half.toFloat32()), bias), IN, OUT, true);
            Tensor x = randoms(random, ROWS, IN);
            Tensor dY = randoms(random, ROWS, OUT);

            BiasOnlyGradients viaHalf = BiasOnlyGradients.of(halfLayer, bias, x, dY);
            BiasOnlyGradients viaFloat = BiasOnlyGradients.of(floatLayer, bias, x, dY);

            assertThat(viaHalf.dX()).containsExactly(viaFloat.dX());
            assertThat(viaHalf.dBias()).containsExactly(viaFloat.dBias());
            assertThat(viaHalf.dX()).as("a gradient reached the input").isNotEqualTo(new float[ROWS * IN]);
        }
    }

    /** Weights serving {@code weight} as the matrix and {@code bias} as the bias. */
    private static Weights weights(Weight weight, Tensor bias) {
        return new Weights() {
            @Override
            public Tensor get(String name, int... shape) {
                return bias;
            }

            @Override
            public Weight matrix(String name, int... shape) {
                return weight;
            }
        };
    }

    private static Tensor randoms(SplittableRandom random, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) random.nextGaussian();
        }
        return t;
    }
}
