package org.amused4j.kernels;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AttentionKernelTest {
    private static final Kernels REFERENCE = new ReferenceKernels();
    private static final Kernels VECTOR = new VectorKernels();

    /**
     * Q, K and V rows are wider than heads·headDim (as when they are slices of a fused projection). 300 query
     * rows exceed one 256-row score block, so the causal limit must follow the block offset; 1100 keys and a head of
     * 1040 exceed one K slab of the GEMMs (Gemm.KC), 256 keys × 16 heads is the transformer's shape. Tolerance: scores
     * are float sums over headDim terms and outputs convex combinations of V rows, so 1e-5 relative suffices.
     */
    @ParameterizedTest(name = "batch={0} heads={1} lq={2} lk={3} headDim={4} causal={5}")
    @CsvSource({
            "1, 1, 1, 1, 1, false",
            "2, 3, 5, 7, 17, false",
            "2, 3, 7, 7, 17, true",
            "1, 2, 7, 5, 33, true",
            "1, 2, 5, 9, 8, true",
            "2, 4, 77, 77, 64, true",
            "1, 2, 300, 300, 16, true",
            "1, 1, 300, 65, 16, false",
            "2, 16, 20, 256, 64, false",
            "1, 1, 300, 1100, 64, true",
            "2, 1, 20, 33, 1040, false"})
    void matchesReference(int batch, int heads, int lq, int lk, int headDim, boolean causal) {
        int width = heads * headDim;
        int qStride = width + 3;
        int kStride = width + 5;
        int vStride = width + 1;
        float[] q = Close.random(1, batch * lq * qStride);
        float[] k = Close.random(2, batch * lk * kStride);
        float[] v = Close.random(3, batch * lk * vStride);
        float[] expected = new float[batch * lq * width];
        float[] actual = new float[expected.length];
        REFERENCE.attention(q, qStride, k, kStride, v, vStride, expected, batch, heads, lq, lk, headDim, causal);
        VECTOR.attention(q, qStride, k, kStride, v, vStride, actual, batch, heads, lq, lk, headDim, causal);
        Close.assertClose("attention", expected, actual, 1e-5);
    }
}
