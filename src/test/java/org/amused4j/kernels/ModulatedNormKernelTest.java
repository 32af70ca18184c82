package org.amused4j.kernels;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The vector backend's one-pass residual sum + norm + modulation against the same backend's separate ops (bit for
 * bit: the transformer's images must not change when the passes are fused) and against the reference's default.
 */
class ModulatedNormKernelTest {
    private static final Kernels REFERENCE = new ReferenceKernels();
    private static final Kernels VECTOR = new VectorKernels();

    /** Widths with and without a partial vector; 3 images of 40 rows are enough rows to be split across threads. */
    @ParameterizedTest(name = "cols={0} centred={1} affine={2} residual={3}")
    @CsvSource({
            "7, true, true, true", "33, false, true, true", "1024, true, false, true", "1024, false, false, false",
            "1027, true, true, false", "1027, false, true, true"})
    void matchesTheSeparateOps(int cols, boolean centred, boolean affine, boolean residual) {
        int images = 3;
        int rowsPerImage = 40;
        int rows = images * rowsPerImage;
        float[] x = Close.random(cols, rows * cols);
        float[] addend = residual ? Close.random(cols + 1, rows * cols) : null;
        float[] weight = affine ? Close.random(cols + 2, cols) : null;
        float[] bias = affine && centred ? Close.random(cols + 3, cols) : null;
        float[] gain = Close.random(cols + 4, images * cols);
        float[] shift = Close.random(cols + 5, images * cols);

        float[] separateSum = x.clone();
        float[] separate = new float[x.length];
        if (residual) {
            VECTOR.add(separateSum, addend, x.length);
        }
        if (centred) {
            VECTOR.layerNorm(separateSum, separate, rows, cols, weight, bias, 1e-6f);
        } else {
            VECTOR.rmsNorm(separateSum, separate, rows, cols, weight, 1e-6f);
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                int g = r / rowsPerImage * cols + j;
                separate[r * cols + j] = separate[r * cols + j] * gain[g] + shift[g];
            }
        }

        float[] fusedSum = x.clone();
        float[] fused = new float[x.length];
        VECTOR.modulatedNorm(fusedSum, addend, fused, rows, cols, centred, weight, bias, 1e-6f, gain, shift,
                rowsPerImage);
        Close.assertClose("residual sum", separateSum, fusedSum, 0);
        Close.assertClose("fused against separate", separate, fused, 0);

        float[] referenceSum = x.clone();
        float[] reference = new float[x.length];
        REFERENCE.modulatedNorm(referenceSum, addend, reference, rows, cols, centred, weight, bias, 1e-6f, gain,
                shift, rowsPerImage);
        Close.assertClose("against the reference", reference, fused, 1e-5);
    }
}
