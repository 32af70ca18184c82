package org.amused4j.kernels;

import org.amused4j.tensor.HalfWeight;
import org.amused4j.tensor.Weight;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Stream;

import static org.amused4j.kernels.LinearKernelTest.halfMatrix;
import static org.amused4j.kernels.LinearKernelTest.randoms;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Products inside a {@link WeightPanels} store are bit for bit those outside it: the product that fills a weight's
 * panels, the ones that read them on every path of the GEMM, the fused GEGLU projection; weights that do not fill
 * whole panels and products outside the store are left alone.
 */
class WeightPanelsTest {

    /**
     * m, n, k of products that fill the panels: tails of the row tile, several NC blocks, three K slabs (Gemm.slab).
     */
    static Stream<Arguments> filling() {
        return Stream.of(Arguments.of(64, 3 * Gemm.NC + Gemm.NR, Gemm.MAX_SLAB + 37), Arguments.of(20, 96, 600),
                Arguments.of(9, 2 * Gemm.NC, Gemm.KC));
    }

    @ParameterizedTest
    @MethodSource("filling")
    void theProductThatFillsThePanelsAndTheProductsThatReadThemEqualTheProductOutside(int m, int n, int k) {
        SplittableRandom random = new SplittableRandom(m * 31L + n * 7L + k);
        float[] a = randoms(random, m * k);
        float[] c0 = randoms(random, m * n);
        for (HalfWeight.Format format : HalfWeight.Format.values()) {
            try (Arena arena = Arena.ofShared(); WeightPanels store = WeightPanels.open()) {
                HalfWeight w = (HalfWeight) halfMatrix(arena, random, format, n, k);
                for (float beta : new float[] {0f, 1f}) {
                    float[] expected = linear(m, n, k, a, w, beta, c0);
                    boolean[] readyBefore = new boolean[1];
                    float[][] inside = store.call(() -> {
                        float[] filled = linear(m, n, k, a, w, beta, c0);
                        readyBefore[0] = WeightPanels.of(w).ready();
                        return new float[][] {filled, linear(m, n, k, a, w, beta, c0)};
                    });
                    assertThat(readyBefore[0]).as("panels ready after the first product").isTrue();
                    assertThat(inside[0]).as("%s beta %s, filling", format, beta).isEqualTo(expected);
                    assertThat(inside[1]).as("%s beta %s, from the panels", format, beta).isEqualTo(expected);
                }
            }
        }
    }

    /** Filled by a product whose columns share A, then read by ones split by rows (m > n) and over MC-row blocks. */
    @Test
    void filledPanelsServeEveryPathOfTheGemm() {
        int n = 64;
        int k = 600;
        SplittableRandom random = new SplittableRandom(5);
        try (Arena arena = Arena.ofShared(); WeightPanels store = WeightPanels.open()) {
            HalfWeight w = (HalfWeight) halfMatrix(arena, random, HalfWeight.Format.F16, n, k);
            float[] small = randoms(random, 32 * k);
            store.call(() -> linear(32, n, k, small, w, 0f, new float[32 * n]));
            for (int m : new int[] {3, 600, Gemm.MC + 6}) {
                float[] a = randoms(random, m * k);
                float[] expected = linear(m, n, k, a, w, 0f, new float[m * n]);
                float[] inside = store.call(() -> {
                    assertThat(WeightPanels.of(w).ready()).isTrue();
                    return linear(m, n, k, a, w, 0f, new float[m * n]);
                });
                assertThat(inside).as("m = %d", m).isEqualTo(expected);
            }
        }
    }

    @Test
    void theFusedGegluProjectionFillsAndReadsThePanelsOfItsWeight() {
        int m = 40;
        int inner = 3 * Gemm.NC;
        int k = Gemm.MAX_SLAB + 64;
        SplittableRandom random = new SplittableRandom(11);
        float[] a = randoms(random, m * k);
        try (Arena arena = Arena.ofShared(); WeightPanels store = WeightPanels.open()) {
            HalfWeight w = (HalfWeight) halfMatrix(arena, random, HalfWeight.Format.BF16, 2 * inner, k);
            float[] expected = new float[m * inner];
            Kernels.get().gegluLinear(m, inner, k, a, k, w, expected);
            float[] product = linear(m, 2 * inner, k, a, w, 0f, new float[m * 2 * inner]);
            float[][] inside = store.call(() -> {
                float[] filled = new float[m * inner];
                Kernels.get().gegluLinear(m, inner, k, a, k, w, filled);
                float[] read = new float[m * inner];
                Kernels.get().gegluLinear(m, inner, k, a, k, w, read);
                return new float[][] {filled, read, linear(m, 2 * inner, k, a, w, 0f, new float[m * 2 * inner])};
            });
            assertThat(inside[0]).as("filling").isEqualTo(expected);
            assertThat(inside[1]).as("from the panels").isEqualTo(expected);
            assertThat(inside[2]).as("plain product from the panels").isEqualTo(product);
        }
    }

    @Test
    void onlyWeightsThatFillWholePanelsAndOnlyProductsInsideTheStoreTakePart() {
        SplittableRandom random = new SplittableRandom(3);
        try (Arena arena = Arena.ofShared(); WeightPanels store = WeightPanels.open()) {
            HalfWeight whole = (HalfWeight) halfMatrix(arena, random, HalfWeight.Format.F16, 2 * Gemm.NR, 8);
            HalfWeight ragged = (HalfWeight) halfMatrix(arena, random, HalfWeight.Format.F16, 2 * Gemm.NR + 3, 8);
            assertThat(WeightPanels.of(whole)).as("outside the store").isNull();
            store.call(() -> {
                assertThat(WeightPanels.of(whole)).isNotNull().isSameAs(WeightPanels.of(whole));
                assertThat(WeightPanels.of(ragged)).isNull();
                return null;
            });
            try (WeightPanels other = WeightPanels.open()) {
                other.call(() -> assertThat(WeightPanels.of(whole)).as("another store's").isNotNull()
                        .isNotSameAs(store.call(() -> WeightPanels.of(whole))));
            }
        }
    }

    private static float[] linear(int m, int n, int k, float[] a, Weight w, float beta, float[] c0) {
        float[] c = c0.clone();
        Kernels.get().linear(m, n, k, a, 0, k, w, beta, c, 0, n);
        return c;
    }
    /** A parallel-for's workers do not inherit the store: {@code carried} hands it to them (U-ViT image groups). */
    @Test
    void carriedBodiesSeeTheStoreOnEveryThreadOfAParallelFor() {
        SplittableRandom random = new SplittableRandom(5);
        try (Arena arena = Arena.ofShared(); WeightPanels store = WeightPanels.open()) {
            HalfWeight w = (HalfWeight) halfMatrix(arena, random, HalfWeight.Format.F16, Gemm.NR, 8);
            int n = Math.max(2, Parallel.threads());
            AtomicIntegerArray served = new AtomicIntegerArray(n);
            store.call(() -> {
                Parallel.forEach(n, WeightPanels.carried(i -> served.set(i, WeightPanels.of(w) != null ? 1 : 0)));
                return null;
            });
            for (int i = 0; i < n; i++) {
                assertThat(served.get(i)).as("body %d", i).isEqualTo(1);
            }
            int[] outside = new int[1];
            Parallel.forEach(1, WeightPanels.carried(i -> outside[0] = WeightPanels.of(w) == null ? 1 : 0));
            assertThat(outside[0]).as("no store outside call").isEqualTo(1);
        }
    }
}
