package org.amused4j.kernels.grad;

import org.amused4j.kernels.Kernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.amused4j.kernels.grad.GradCheck.random;

/**
 * Gradient checks of multi-head attention for q, k, v, with row strides wider than the heads (as when q, k, v
 * are columns of one packed projection) and with and without the causal mask.
 */
class AttentionBackwardTest {

    @ParameterizedTest(name = "batch={0} heads={1} lq={2} lk={3} headDim={4} causal={5}")
    @CsvSource({"1,1,1,1,1,false", "2,3,5,7,4,false", "2,2,7,7,3,true", "1,2,13,5,8,false", "1,1,5,5,13,true",
            "3,1,3,13,2,false"})
    void attention(int batch, int heads, int lq, int lk, int headDim, boolean causal) {
        int width = heads * headDim;
        int qStride = width + 3;
        int kStride = width;
        int vStride = width + 1;
        float[][] in = {random(1, batch * lq * qStride, 1.5f, 0f), random(2, batch * lk * kStride, 1.5f, 0f),
                random(3, batch * lk * vStride)};
        double[][] d0 = GradCheck.toDouble(in);
        float[] out = new float[batch * lq * width];
        Kernels.get().attention(in[0], qStride, in[1], kStride, in[2], vStride, out, batch, heads, lq, lk, headDim,
                causal);
        GradCheck.assertSameForward("attention", DoubleForwards.attention(d0[0], qStride, d0[1], kStride, d0[2],
                vStride, batch, heads, lq, lk, headDim, causal), out);
        GradCheck.check("attention", in, new int[]{0, 1, 2},
                d -> DoubleForwards.attention(d[0], qStride, d[1], kStride, d[2], vStride, batch, heads, lq, lk,
                        headDim, causal),
                (x, dOut, g) -> BackwardKernels.attention(x[0], qStride, x[1], kStride, x[2], vStride, batch, heads,
                        lq, lk, headDim, causal, dOut, g[0], g[1], g[2]));
    }
}
