package org.amused4j.kernels;

import org.amused4j.tensor.Half;
import org.amused4j.tensor.HalfWeight;
import org.amused4j.tensor.Tensor;
import org.amused4j.tensor.Weight;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Kernels#linear} and {@link Kernels#multiplyByWeight} with a half-precision weight must give exactly (bit
 * for bit) the GEMM of the widened weight, since widening is exact and the accumulation order is the same.
 * (Compared with {@code isEqualTo}, which is {@code Arrays.equals}, bit for bit: AssertJ's {@code containsExactly}
 * first diffs the arrays as lists, quadratic in the worst case, and took minutes on the million-value products.)
 */
class LinearKernelTest {
    private static final ValueLayout.OfShort SHORT_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * m, n, k: tails of the 8-row tile and 32-column panel, several K slabs (Gemm.slab) and NC blocks, a threaded split
     * by column blocks sharing A, by rows (m > n) and by fixed column parts over row blocks of MC (m > MC).
     */
    static Stream<Arguments> shapes() {
        return Stream.of(Arguments.of(1, 1, 1), Arguments.of(3, 17, 15), Arguments.of(9, 33, 16),
                Arguments.of(20, 70, Gemm.MAX_SLAB + 37), Arguments.of(64, 3 * Gemm.NC + 5, 300),
                Arguments.of(512, 256, 768), Arguments.of(600, 40, 100), Arguments.of(Gemm.MC + 6, Gemm.MC + 16, 20));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void halfWeightsGiveTheGemmOfTheWidenedWeightExactly(int m, int n, int k) {
        SplittableRandom random = new SplittableRandom(m * 31L + n * 7L + k);
        float[] a = randoms(random, m * k);
        float[] c0 = randoms(random, m * n);
        for (HalfWeight.Format format : HalfWeight.Format.values()) {
            try (Arena arena = Arena.ofShared()) {
                Weight half = halfMatrix(arena, random, format, n, k);
                Tensor widened = half.toFloat32();
                for (float beta : new float[] {0f, 1f}) {
                    float[] expected = c0.clone();
                    Kernels.get().gemm(false, true, m, n, k, 1f, a, 0, k, widened.data(), 0, k, beta, expected, 0, n);
                    float[] viaHalf = c0.clone();
                    Kernels.get().linear(m, n, k, a, 0, k, half, beta, viaHalf, 0, n);
                    float[] viaFloat = c0.clone();
                    Kernels.get().linear(m, n, k, a, 0, k, Weight.of(widened), beta, viaFloat, 0, n);
                    assertThat(viaHalf).as("%s beta %s", format, beta).isEqualTo(expected);
                    assertThat(viaFloat).as("float32 weight, beta %s", beta).isEqualTo(expected);
                }
            }
        }
    }

    /** The untransposed product A·W (a frozen linear layer's input gradient dY·W), W [k, n] stored as is. */
    @ParameterizedTest
    @MethodSource("shapes")
    void multiplyingByAHalfWeightGivesTheGemmOfTheWidenedWeightExactly(int m, int n, int k) {
        SplittableRandom random = new SplittableRandom(m * 13L + n * 5L + k);
        float[] a = randoms(random, m * k);
        float[] c0 = randoms(random, m * n);
        for (HalfWeight.Format format : HalfWeight.Format.values()) {
            try (Arena arena = Arena.ofShared()) {
                Weight half = halfMatrix(arena, random, format, k, n);
                Tensor widened = half.toFloat32();
                for (float beta : new float[] {0f, 1f}) {
                    float[] expected = c0.clone();
                    Kernels.get().gemm(false, false, m, n, k, 1f, a, 0, k, widened.data(), 0, n, beta, expected, 0, n);
                    float[] viaHalf = c0.clone();
                    Kernels.get().multiplyByWeight(m, n, k, a, 0, k, half, beta, viaHalf, 0, n);
                    float[] viaFloat = c0.clone();
                    Kernels.get().multiplyByWeight(m, n, k, a, 0, k, Weight.of(widened), beta, viaFloat, 0, n);
                    assertThat(viaHalf).as("%s beta %s", format, beta).isEqualTo(expected);
                    assertThat(viaFloat).as("float32 weight, beta %s", beta).isEqualTo(expected);
                }
            }
        }
    }

    /**
     * The fused GEGLU projection equals the product into a temporary followed by the gating, bit for bit: m, inner,
     * k with whole and partial column blocks (pairs of NC, then narrower), two K slabs, tails of the row tile and
     * column panel; and one too small to fuse (the fallback).
     */
    @ParameterizedTest
    @MethodSource("gegluShapes")
    void fusedGegluProjectionEqualsTheProductThenTheGating(int m, int inner, int k) {
        SplittableRandom random = new SplittableRandom(m * 17L + inner * 3L + k);
        float[] a = randoms(random, m * k);
        for (HalfWeight.Format format : HalfWeight.Format.values()) {
            try (Arena arena = Arena.ofShared()) {
                Weight half = halfMatrix(arena, random, format, 2 * inner, k);
                for (Weight w : new Weight[] {half, Weight.of(half.toFloat32())}) {
                    float[] product = new float[m * 2 * inner];
                    Kernels.get().linear(m, 2 * inner, k, a, 0, k, w, 0f, product, 0, 2 * inner);
                    float[] expected = new float[m * inner];
                    Kernels.get().geglu(product, m, inner, expected);
                    float[] fused = randoms(random, m * inner);
                    Kernels.get().gegluLinear(m, inner, k, a, k, w, fused);
                    assertThat(fused).as("%s %s", format, w.getClass().getSimpleName()).isEqualTo(expected);
                }
            }
        }
    }

    /**
     * Several weights of one input equal their products one by one, bit for bit: shared (whole blocks of the first
     * products, narrower ones at the end of the last, two K slabs, a row tail), inside a {@link WeightPanels} store
     * (filling, then reading) and too small to share (the fallback).
     */
    @ParameterizedTest
    @MethodSource("sharedInputShapes")
    void severalWeightsOfOneInputEqualTheirProductsOneByOne(int m, int k, int[] widths) {
        SplittableRandom random = new SplittableRandom(m * 7L + k);
        float[] a = randoms(random, m * k);
        try (Arena arena = Arena.ofShared(); WeightPanels store = WeightPanels.open()) {
            Weight[] ws = new Weight[widths.length];
            float[][] expected = new float[widths.length][];
            for (int i = 0; i < widths.length; i++) {
                ws[i] = halfMatrix(arena, random, HalfWeight.Format.F16, widths[i], k);
                expected[i] = new float[m * widths[i]];
                Kernels.get().linear(m, widths[i], k, a, 0, k, ws[i], 0f, expected[i], 0, widths[i]);
            }
            assertThat(products(m, k, a, ws)).as("outside a store").isDeepEqualTo(expected);
            assertThat(store.call(() -> products(m, k, a, ws))).as("filling").isDeepEqualTo(expected);
            assertThat(store.call(() -> products(m, k, a, ws))).as("from the panels").isDeepEqualTo(expected);
        }
    }

    static Stream<Arguments> sharedInputShapes() {
        return Stream.of(Arguments.of(60, Gemm.MAX_SLAB + 40, new int[] {2 * Gemm.NC + 64, Gemm.NC, 3 * Gemm.NC}),
                Arguments.of(64, 200, new int[] {64, 96}), Arguments.of(5, 8, new int[] {7, 9, 3}));
    }

    private static float[][] products(int m, int k, float[] a, Weight[] ws) {
        float[][] outs = new float[ws.length][];
        for (int i = 0; i < ws.length; i++) {
            outs[i] = new float[m * ws[i].shape()[0]];
            Arrays.fill(outs[i], Float.NaN);
        }
        Kernels.get().linears(m, k, a, k, ws, outs);
        return outs;
    }

    static Stream<Arguments> gegluShapes() {
        return Stream.of(Arguments.of(512, 5 * Gemm.NC, Gemm.MAX_SLAB + 64), Arguments.of(130, 300, 96),
                Arguments.of(9, 45, 40), Arguments.of(3, 5, 7));
    }

    /** A [rows, cols] weight of random normal values rounded to {@code format}, in memory of {@code arena}. */
    static Weight halfMatrix(Arena arena, SplittableRandom random, HalfWeight.Format format, int rows,
                                     int cols) {
        MemorySegment bytes = arena.allocate(2L * rows * cols);
        for (int i = 0; i < rows * cols; i++) {
            float v = (float) random.nextGaussian();
            bytes.setAtIndex(SHORT_LE, i, format == HalfWeight.Format.F16 ? Half.floatToF16(v) : Half.floatToBf16(v));
        }
        return new HalfWeight(bytes, format, new int[] {rows, cols});
    }

    static float[] randoms(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }
}
