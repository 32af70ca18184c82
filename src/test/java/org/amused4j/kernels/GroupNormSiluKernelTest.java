package org.amused4j.kernels;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fused SiLU(GroupNorm(x)) of the vector backend against the reference's two separate ops. */
class GroupNormSiluKernelTest {
    private static final Kernels REFERENCE = new ReferenceKernels();
    private static final Kernels VECTOR = new VectorKernels();

    /** Plane sizes below, at and across the fusion's block length (2048), with partial vectors. */
    @ParameterizedTest(name = "hw={0}")
    @ValueSource(ints = {1, 7, 33, 2048, 4100})
    void matchesNormThenSilu(int hw) {
        int n = 2;
        int channels = 6;
        int groups = 3;
        float[] x = Close.random(11, n * channels * hw);
        float[] w = Close.random(12, channels);
        float[] b = Close.random(13, channels);
        float[] expected = new float[x.length];
        REFERENCE.groupNorm(x, expected, n, channels, hw, groups, w, b, 1e-6f);
        REFERENCE.silu(expected, 0, expected.length);
        float[] actual = x.clone();
        VECTOR.groupNormSilu(actual, actual, n, channels, hw, groups, w, b, 1e-6f);
        Close.assertClose("groupNormSilu in place", expected, actual, 1e-5);
        float[] viaDefault = new float[x.length];
        REFERENCE.groupNormSilu(x, viaDefault, n, channels, hw, groups, w, b, 1e-6f);
        Close.assertClose("default groupNormSilu", expected, viaDefault, 0);
    }
}
