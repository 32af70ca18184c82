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
 * A convolution whose kernel stays in half precision (the VQ of an fp16 folder) computes exactly what the same
 * convolution with the widened float32 kernel does, reads the stored values each time it runs (it keeps no float32
 * copy), and becomes an ordinary float32 parameter once asked for as one.
 */
class HalfConv2dTest {
    private static final ValueLayout.OfShort SHORT_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int IN = 6;
    private static final int OUT = 5;
    private static final int K = 3;
    private static final int STRIDE = 2;
    private static final Conv2d.Padding PAD = Conv2d.Padding.bottomRight(1);

    private final SplittableRandom random = new SplittableRandom(11);

    @Test
    void forwardAndFrozenBackwardWithAHalfKernelEqualTheFloat32Ones() {
        try (Arena arena = Arena.ofConfined()) {
            HalfWeight half = halfKernel(arena);
            Tensor bias = randoms(OUT);
            Conv2d halfConv = conv(half, bias);
            Conv2d floatConv = conv(Weight.of(half.toFloat32()), bias);
            Tensor x = randoms(2, IN, 9, 8);

            Tensor y = halfConv.forward(x);
            assertThat(y.data()).containsExactly(floatConv.forward(x).data());

            Tensor dY = randoms(y.shape());
            BiasOnlyGradients viaHalf = BiasOnlyGradients.of(halfConv, bias, x, dY);
            BiasOnlyGradients viaFloat = BiasOnlyGradients.of(floatConv, bias, x, dY);
            assertThat(viaHalf.dX()).containsExactly(viaFloat.dX());
            assertThat(viaHalf.dBias()).containsExactly(viaFloat.dBias());
            assertThat(viaHalf.dX()).as("a gradient reached the input").isNotEqualTo(new float[x.size()]);
        }
    }

    @Test
    void readsTheStoredKernelWhenItRunsAndWidensItForGoodWhenAskedForAsAParameter() {
        try (Arena arena = Arena.ofConfined()) {
            HalfWeight half = halfKernel(arena);
            Conv2d conv = conv(half, null);
            Tensor x = randoms(1, IN, 7, 7);
            assertThat(conv.forward(x).data()).isNotEqualTo(new float[OUT * 4 * 4]);

            half.bytes().fill((byte) 0); // the stored kernel changes after the layer was built
            assertThat(conv.forward(x).data()).containsOnly(0f);

            Tensor live = conv.weight();
            assertThat(conv.weight()).isSameAs(live);
            live.data()[0] = 1f;
            half.bytes().setAtIndex(SHORT_LE, 1, Half.floatToF16(1f)); // no longer read
            Tensor expected = conv(Weight.of(live.copy()), null).forward(x);
            assertThat(conv.forward(x).data()).containsExactly(expected.data())
                    .isNotEqualTo(new float[OUT * 4 * 4]);
        }
    }

    private HalfWeight halfKernel(Arena arena) {
        int n = OUT * IN * K * K;
        MemorySegment bytes = arena.allocate(2L * n);
        for (int i = 0; i < n; i++) {
            bytes.setAtIndex(SHORT_LE, i, Half.floatToF16((float) random.nextGaussian()));
        }
        return new HalfWeight(bytes, HalfWeight.Format.F16, new int[] {OUT, IN, K, K});
    }

    /** A stride-2, bottom/right-padded 3×3 convolution (a VQ downsampler's geometry) on the given parameters. */
    private static Conv2d conv(Weight kernel, Tensor bias) {
        Weights weights = new Weights() {
            @Override
            public Tensor get(String name, int... shape) {
                return bias;
            }

            @Override
            public Weight matrix(String name, int... shape) {
                return kernel;
            }
        };
        return new Conv2d(weights, IN, OUT, K, STRIDE, PAD, 1, bias != null);
    }

    private Tensor randoms(int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) random.nextGaussian();
        }
        return t;
    }
}
