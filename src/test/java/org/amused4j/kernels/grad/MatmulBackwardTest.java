package org.amused4j.kernels.grad;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.amused4j.kernels.grad.GradCheck.random;

/** Gradient checks of the matrix products: {@link BackwardKernels#matmul} and {@link BackwardKernels#linear}. */
class MatmulBackwardTest {

    @ParameterizedTest(name = "m={0} k={1} n={2}")
    @CsvSource({"1,1,1", "3,5,7", "13,7,5", "2,13,1"})
    void matmul(int m, int k, int n) {
        float[][] in = {random(1, m * k), random(2, k * n)};
        GradCheck.check("matmul", in, new int[]{0, 1},
                d -> DoubleForwards.matmul(d[0], d[1], m, k, n),
                (x, dC, g) -> BackwardKernels.matmul(x[0], x[1], m, k, n, dC, g[0], g[1]));
    }

    @ParameterizedTest(name = "rows={0} in={1} out={2}")
    @CsvSource({"1,1,1", "5,3,7", "13,7,5", "7,13,3"})
    void linear(int rows, int inFeatures, int outFeatures) {
        float[][] in = {random(3, rows * inFeatures), random(4, outFeatures * inFeatures), random(5, outFeatures)};
        GradCheck.check("linear", in, new int[]{0, 1, 2},
                d -> DoubleForwards.linear(d[0], d[1], d[2], rows, inFeatures, outFeatures),
                (x, dY, g) -> BackwardKernels.linear(x[0], x[1], rows, inFeatures, outFeatures, dY, g[0], g[1], g[2]));
    }
}
