package org.amused4j.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class GemmTest {
    private static final Kernels REFERENCE = new ReferenceKernels();
    private static final Kernels VECTOR = new VectorKernels();

    /**
     * Shapes: tiny and odd sizes around the vector width and the 8-row tile; K over two slabs of Gemm.KC with a
     * remainder; N over several Gemm.NC column blocks; M over two Gemm.MC row blocks; and shapes big enough to
     * be split across threads by columns and by rows.
     */
    static Stream<Arguments> cases() {
        int[][] shapes = {{1, 1, 1}, {3, 7, 17}, {7, 33, 3}, {17, 65, 33}, {9, 129, 1100}, {65, 17, 129},
                {8, 600, 40}, {70, 530, 300}, {300, 40, 100}, {2100, 9, 5}};
        float[] betas = {0f, 1f, 0.5f};
        return Stream.of(shapes).flatMap(s -> Stream.of(false, true).flatMap(ta -> Stream.of(false, true)
                .flatMap(tb -> {
                    Stream.Builder<Arguments> b = Stream.builder();
                    for (float beta : betas) {
                        b.add(Arguments.of(s[0], s[1], s[2], ta, tb, beta));
                    }
                    return b.build();
                })));
    }

    /**
     * Matrices sit at an offset inside larger arrays with leading dimensions wider than the rows, so strides
     * and offsets are exercised; C's padding columns must come back untouched. Tolerance: float accumulation
     * of k products of magnitude ≤ 1 has rounding error growing like √k·2⁻²⁴·(partial-sum size); 2e-6·√k
     * relative to 1 + |reference| covers that with margin, while a missing or doubled product (error ~0.1+)
     * still fails.
     */
    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4} beta={5}")
    @MethodSource("cases")
    void matchesReference(int m, int n, int k, boolean transA, boolean transB, float beta) {
        float alpha = 0.75f;
        int rowsA = transA ? k : m;
        int colsA = transA ? m : k;
        int rowsB = transB ? n : k;
        int colsB = transB ? k : n;
        int lda = colsA + 5;
        int ldb = colsB + 3;
        int ldc = n + 2;
        int aOff = 4;
        int bOff = 1;
        int cOff = 3;
        float[] a = Close.random(1, aOff + rowsA * lda);
        float[] b = Close.random(2, bOff + rowsB * ldb);
        float[] c = Close.random(3, cOff + m * ldc);
        if (beta == 0) {
            // beta = 0 must ignore C entirely, NaN included.
            for (int i = 0; i < m; i++) {
                Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, Float.NaN);
            }
        }
        float[] expected = c.clone();
        float[] actual = c.clone();
        REFERENCE.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, expected, cOff, ldc);
        VECTOR.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, actual, cOff, ldc);
        Close.assertClose("gemm", expected, actual, 2e-6 * Math.sqrt(k));
        for (int i = 0; i < m; i++) {
            for (int j = n; j < ldc && cOff + i * ldc + j < c.length; j++) {
                assertThat(actual[cOff + i * ldc + j]).as("padding column untouched").isEqualTo(c[cOff + i * ldc + j]);
            }
        }
    }

    /** The column blocks two threads take: every column once, NC wide at first, small at the end. */
    @ParameterizedTest(name = "n={0} threads={1}")
    @CsvSource({"1, 2", "31, 2", "256, 2", "1024, 2", "600, 2", "5632, 2",
            "1024, 1", "1000, 4"})
    void columnBlocksCoverEveryColumnOnceAndShrinkForTheLastRound(int n, int threads) {
        int[] starts = Gemm.columnBlocks(n, threads);
        assertThat(starts[0]).isZero();
        assertThat(starts[starts.length - 1]).isEqualTo(n);
        int tail = Gemm.NC / 4;
        for (int i = 0; i + 1 < starts.length; i++) {
            int width = starts[i + 1] - starts[i];
            assertThat(width).as("block %d", i).isPositive().isLessThanOrEqualTo(Gemm.NC);
            if (n - starts[i] <= threads * Gemm.NC) {
                assertThat(width).as("block %d, in the last %d columns", i, threads * Gemm.NC)
                        .isLessThanOrEqualTo(tail);
            } else {
                assertThat(width).as("block %d", i).isEqualTo(Gemm.NC);
            }
        }
    }

    /**
     * The panels of a shared op(A) are packed by whichever thread needs them first: one whose packing throws (here
     * A ends four rows short) must fail the product, not leave the other thread waiting for that panel for ever.
     */
    @Test
    void failedPackingOfSharedPanelFailsTheProduct() {
        int m = 64;
        int n = 256;
        int k = 64;
        float[] shortA = Close.random(1, (m - 4) * k);
        float[] b = Close.random(2, k * n);
        float[] c = new float[m * n];
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(
                () -> VECTOR.gemm(false, false, m, n, k, 1f, shortA, 0, k, b, 0, n, 0f, c, 0, n))
                .isInstanceOf(RuntimeException.class));
    }

    @ParameterizedTest(name = "beta={0}")
    @MethodSource("betas")
    void zeroDepthOnlyScalesC(float beta) {
        float[] c = {1f, Float.NaN, 3f, 4f};
        if (beta != 0) {
            c[1] = 2f;
        }
        float[] expected = c.clone();
        REFERENCE.gemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, beta, expected, 0, 2);
        VECTOR.gemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, beta, c, 0, 2);
        assertThat(c).containsExactly(expected);
    }

    static Stream<Float> betas() {
        return Stream.of(0f, 1f, 0.5f);
    }
}
