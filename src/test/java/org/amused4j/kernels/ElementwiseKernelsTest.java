package org.amused4j.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Softmax, normalizations, activations and the data-movement ops of {@link VectorKernels} against
 * {@link ReferenceKernels}. Lengths straddle the vector width (1 … 129) and one is large enough to be split
 * across threads.
 */
class ElementwiseKernelsTest {
    private static final Kernels REFERENCE = new ReferenceKernels();
    private static final Kernels VECTOR = new VectorKernels();
    /** Reference math is double-accumulated: allow a few ulp of the output plus float sums over ≤ 10⁵ terms. */
    private static final double TOL = 1e-5;

    @ParameterizedTest(name = "cols={0}")
    @ValueSource(ints = {1, 3, 7, 17, 33, 65, 129, 1000})
    void softmax(int cols) {
        int rows = 5;
        float[] x = scaled(Close.random(cols, 2 + rows * cols), 8f);
        x[2] = Float.NEGATIVE_INFINITY;
        float[] expected = x.clone();
        float[] actual = x.clone();
        REFERENCE.softmax(expected, 2, rows, cols);
        VECTOR.softmax(actual, 2, rows, cols);
        Close.assertClose("softmax", expected, actual, TOL);
    }

    @ParameterizedTest(name = "cols={0}")
    @ValueSource(ints = {1, 3, 7, 17, 33, 65, 129, 3000})
    void layerNormAndRmsNorm(int cols) {
        int rows = 7;
        float[] x = shifted(Close.random(cols, rows * cols), 3f);
        float[] w = Close.random(100 + cols, cols);
        float[] b = Close.random(200 + cols, cols);
        for (boolean affine : new boolean[]{false, true}) {
            float[] expected = new float[x.length];
            float[] actual = x.clone();
            REFERENCE.layerNorm(x, expected, rows, cols, affine ? w : null, affine ? b : null, 1e-5f);
            VECTOR.layerNorm(actual, actual, rows, cols, affine ? w : null, affine ? b : null, 1e-5f);
            Close.assertClose("layerNorm in place, affine=" + affine, expected, actual, TOL);

            REFERENCE.rmsNorm(x, expected, rows, cols, affine ? w : null, 1e-6f);
            VECTOR.rmsNorm(x, actual, rows, cols, affine ? w : null, 1e-6f);
            Close.assertClose("rmsNorm, affine=" + affine, expected, actual, TOL);
        }
    }

    @ParameterizedTest(name = "hw={0}")
    @ValueSource(ints = {1, 7, 33, 4099})
    void groupNorm(int hw) {
        int n = 2;
        int channels = 12;
        int groups = 4;
        float[] x = shifted(Close.random(hw, n * channels * hw), -2f);
        float[] w = Close.random(1, channels);
        float[] b = Close.random(2, channels);
        for (boolean affine : new boolean[]{false, true}) {
            float[] expected = new float[x.length];
            float[] actual = x.clone();
            REFERENCE.groupNorm(x, expected, n, channels, hw, groups, affine ? w : null, affine ? b : null, 1e-6f);
            VECTOR.groupNorm(actual, actual, n, channels, hw, groups, affine ? w : null, affine ? b : null, 1e-6f);
            Close.assertClose("groupNorm, affine=" + affine, expected, actual, TOL);
        }
    }

    /** Inputs over [-12, 12] plus far tails and zero, at an offset, with an untouched margin each side. */
    @ParameterizedTest(name = "len={0}")
    @ValueSource(ints = {1, 3, 17, 129, 100_003})
    void activations(int len) {
        float[] x = scaled(Close.random(len, len + 4), 12f);
        x[2] = 0f;
        if (len > 3) {
            x[3] = -100f;
            x[4] = 100f;
        }
        float[] expected = x.clone();
        float[] actual = x.clone();
        REFERENCE.gelu(expected, 2, len);
        VECTOR.gelu(actual, 2, len);
        Close.assertClose("gelu", expected, actual, TOL);
        expected = x.clone();
        actual = x.clone();
        REFERENCE.quickGelu(expected, 2, len);
        VECTOR.quickGelu(actual, 2, len);
        Close.assertClose("quickGelu", expected, actual, TOL);
        expected = x.clone();
        actual = x.clone();
        REFERENCE.silu(expected, 2, len);
        VECTOR.silu(actual, 2, len);
        Close.assertClose("silu", expected, actual, TOL);
    }

    /**
     * GEGLU gating: the vector backend's rows run in parallel (a row of 3000 is split across threads, one of 17
     * is not, and tails fall off the vector width) and must match the reference; z must stay intact.
     */
    /** Float addition is exact to the rounding, so the split per thread and the vector loop change nothing. */
    @ParameterizedTest(name = "len={0}")
    @ValueSource(ints = {1, 3, 17, 129, 100_003})
    void add(int len) {
        float[] y = Close.random(len, len);
        float[] x = Close.random(len + 1, len);
        float[] expected = x.clone();
        for (int i = 0; i < len; i++) {
            expected[i] = x[i] + y[i];
        }
        float[] viaReference = x.clone();
        REFERENCE.add(viaReference, y, len);
        VECTOR.add(x, y, len);
        assertThat(viaReference).isEqualTo(expected);
        assertThat(x).isEqualTo(expected);
    }

    @ParameterizedTest(name = "rows={0} inner={1}")
    @CsvSource({"1,1", "3,17", "40,129", "9,3000"})
    void geglu(int rows, int inner) {
        float[] z = scaled(Close.random(inner, rows * 2 * inner), 6f);
        float[] before = z.clone();
        float[] expected = new float[rows * inner];
        float[] actual = new float[rows * inner];
        REFERENCE.geglu(z, rows, inner, expected);
        VECTOR.geglu(z, rows, inner, actual);
        Close.assertClose("geglu", expected, actual, TOL);
        assertThat(z).containsExactly(before);
        // The value half multiplies the gate half's GELU (not the other way round).
        int last = rows * inner - 1;
        float value = z[(rows - 1) * 2 * inner + inner - 1];
        float gate = z[rows * 2 * inner - 1];
        assertThat((double) actual[last]).isCloseTo(value * Erf.gelu(gate), within(1e-5));
    }

    @Test
    void upsampleAndEmbedding() {
        int planes = 3;
        int h = 5;
        int w = 17;
        float[] x = Close.random(9, planes * h * w);
        float[] expected = new float[4 * x.length];
        float[] actual = new float[4 * x.length];
        REFERENCE.upsampleNearest2x(x, planes, h, w, expected);
        VECTOR.upsampleNearest2x(x, planes, h, w, actual);
        assertThat(actual).containsExactly(expected);

        float[] table = Close.random(10, 11 * 7);
        int[] ids = {3, 0, 10, 3};
        float[] e = new float[ids.length * 7];
        float[] a = new float[ids.length * 7];
        REFERENCE.embedding(ids, table, 11, 7, e);
        VECTOR.embedding(ids, table, 11, 7, a);
        assertThat(a).containsExactly(e);
        assertThatThrownBy(() -> VECTOR.embedding(new int[]{11}, table, 11, 7, new float[7]))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("11");
    }

    @Test
    void backendSelection() {
        assertThat(KernelsHolder.choose("reference")).isInstanceOf(ReferenceKernels.class);
        assertThat(KernelsHolder.choose("default")).isInstanceOf(VectorKernels.class);
    }

    private static float[] scaled(float[] x, float factor) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= factor;
        }
        return x;
    }

    private static float[] shifted(float[] x, float by) {
        for (int i = 0; i < x.length; i++) {
            x[i] += by;
        }
        return x;
    }
}
