package org.amused4j.tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class TransposeTest {
    /** Sizes below, at and across the 16-value register and 32-value cache blocks, with partial blocks. */
    @ParameterizedTest(name = "batch={0} rows={1} cols={2}")
    @CsvSource({"1, 1, 1", "1, 1, 70", "2, 3, 5", "1, 16, 16", "1, 32, 32", "3, 33, 65", "2, 77, 31", "1, 100, 1",
            "2, 48, 40"})
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

    /**
     * Whole register blocks, blocks with a column or row remainder, fewer rows than a block, at offsets inside
     * both arrays with leading dimensions wider than the data, eight rows into a dense eight-wide destination (the
     * GEMM's A panels, half blocks); everything else in the destination stays.
     */
    @ParameterizedTest(name = "rows={0} cols={1} ldSrc={2} ldDst={3}")
    @CsvSource({"16, 16, 16, 16", "16, 512, 515, 32", "16, 37, 40, 20", "16, 15, 16, 17", "15, 48, 50, 16",
            "35, 70, 71, 40", "1, 5, 5, 1", "16, 0, 3, 16", "8, 16, 16, 8", "8, 512, 1024, 8", "8, 37, 40, 8"})
    void stridedMatchesTheDefinition(int rows, int cols, int ldSrc, int ldDst) {
        int srcOff = 3;
        int dstOff = 5;
        SplittableRandom random = new SplittableRandom(rows * 31L + cols);
        float[] src = new float[srcOff + rows * ldSrc];
        float[] dst = new float[dstOff + Math.max(1, cols) * ldDst + rows];
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) random.nextDouble();
        }
        for (int i = 0; i < dst.length; i++) {
            dst[i] = -(float) random.nextDouble();
        }
        float[] expected = dst.clone();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                expected[dstOff + c * ldDst + r] = src[srcOff + r * ldSrc + c];
            }
        }
        Transpose.strided(src, srcOff, ldSrc, rows, cols, dst, dstOff, ldDst);
        assertThat(dst).isEqualTo(expected);
    }
}
