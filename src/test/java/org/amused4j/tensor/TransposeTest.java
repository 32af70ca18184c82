package org.amused4j.tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class TransposeTest {
    /** Sizes below, at and across the 32-element block, with partial blocks on either side. */
    @ParameterizedTest(name = "batch={0} rows={1} cols={2}")
    @CsvSource({"1, 1, 1", "1, 1, 70", "2, 3, 5", "1, 32, 32", "3, 33, 65", "2, 77, 31", "1, 100, 1"})
    void everyValueLandsAtItsTransposedPlace(int batch, int rows, int cols) {
        float[] src = new float[batch * rows * cols];
        for (int i = 0; i < src.length; i++) {
            src[i] = i;
        }
        float[] dst = new float[src.length];
        Transpose.batched(src, dst, batch, rows, cols);
        for (int n = 0; n < batch; n++) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int base = n * rows * cols;
                    assertThat(dst[base + c * rows + r]).as("[%d][%d][%d]", n, r, c)
                            .isEqualTo(src[base + r * cols + c]);
                }
            }
        }
    }
}
