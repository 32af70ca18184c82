package org.amused4j.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConvolutionKernelTest {
    private static final Kernels REFERENCE = new ReferenceKernels();
    private static final Kernels VECTOR = new VectorKernels();

    /**
     * Covers the im2col path (3×3, stride 2, asymmetric padding 0,1,0,1, grouped), the pointwise path (1×1)
     * and a strided 1×1 (which must not take it), and the depthwise path (groups == cin, stride 1 and 2,
     * channel multiplier 2, rows narrower and wider than a vector, heights not a multiple of its four-row groups,
     * the U-ViT's 16×16). Tolerance as for GEMM: sums of cin/groups·kh·kw products of magnitude ≤ 1,
     * 2e-6·√depth relative.
     */
    @ParameterizedTest(name = "n={0} cin={1} {2}x{3} cout={4} k={5}x{6} s={7} pad={8},{9},{10},{11} g={12} bias={13}")
    @CsvSource({
            "1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, true",
            "2, 3, 7, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1, true",
            "1, 4, 8, 8, 6, 3, 3, 2, 0, 1, 0, 1, 1, true",
            "1, 4, 9, 7, 6, 3, 3, 2, 0, 1, 0, 1, 2, false",
            "2, 17, 5, 6, 33, 1, 1, 1, 0, 0, 0, 0, 1, true",
            "1, 8, 7, 7, 4, 1, 1, 2, 0, 0, 0, 0, 1, false",
            "2, 6, 17, 19, 6, 3, 3, 1, 1, 1, 1, 1, 6, true",
            "1, 5, 9, 11, 5, 3, 3, 2, 0, 1, 0, 1, 5, false",
            "1, 3, 8, 33, 6, 3, 3, 1, 1, 1, 2, 0, 3, true",
            "1, 3, 6, 6, 3, 7, 7, 1, 3, 3, 3, 3, 3, true",
            "1, 64, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, true",
            "2, 8, 16, 16, 8, 3, 3, 1, 1, 1, 1, 1, 8, true"})
    void conv2dMatchesReference(int n, int cin, int h, int w, int cout, int kh, int kw, int stride,
                                int padTop, int padBottom, int padLeft, int padRight, int groups, boolean withBias) {
        float[] x = Close.random(1, n * cin * h * w);
        float[] weight = Close.random(2, cout * (cin / groups) * kh * kw);
        float[] bias = withBias ? Close.random(3, cout) : null;
        int oh = (h + padTop + padBottom - kh) / stride + 1;
        int ow = (w + padLeft + padRight - kw) / stride + 1;
        float[] expected = new float[n * cout * oh * ow];
        float[] actual = new float[expected.length];
        java.util.Arrays.fill(actual, Float.NaN);
        REFERENCE.conv2d(x, n, cin, h, w, weight, cout, kh, kw, bias, stride, padTop, padBottom, padLeft, padRight,
                groups, expected);
        VECTOR.conv2d(x, n, cin, h, w, weight, cout, kh, kw, bias, stride, padTop, padBottom, padLeft, padRight,
                groups, actual);
        Close.assertClose("conv2d", expected, actual, 2e-6 * Math.sqrt(cin / groups * kh * kw));
    }

    /** The im2col buffer limit forces several pixel chunks, including a partial last one and partial rows. */
    @Test
    void im2colInChunks() {
        ConvGeometry g = new ConvGeometry(3, 9, 11, 4, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] x = Close.random(4, 2 * 3 * 9 * 11);
        float[] weight = Close.random(5, 4 * 3 * 9);
        float[] bias = Close.random(6, 4);
        float[] expected = new float[2 * 4 * 9 * 11];
        float[] actual = new float[expected.length];
        REFERENCE.conv2d(x, 2, 3, 9, 11, weight, 4, 3, 3, bias, 1, 1, 1, 1, 1, 1, expected);
        Convolutions.viaGemm(x, 2, g, weight, bias, actual, 27 * 13);
        Close.assertClose("chunked conv2d", expected, actual, 2e-6 * Math.sqrt(27));
    }

    @ParameterizedTest(name = "n={0} cin={1} {2}x{3} cout={4} bias={5}")
    @CsvSource({"1, 1, 1, 1, 1, true", "2, 5, 3, 7, 6, true", "1, 33, 4, 4, 17, false"})
    void convTranspose2x2MatchesReference(int n, int cin, int h, int w, int cout, boolean withBias) {
        float[] x = Close.random(7, n * cin * h * w);
        float[] weight = Close.random(8, cin * cout * 4);
        float[] bias = withBias ? Close.random(9, cout) : null;
        float[] expected = new float[n * cout * 4 * h * w];
        float[] actual = new float[expected.length];
        REFERENCE.convTranspose2x2(x, n, cin, h, w, weight, cout, bias, expected);
        VECTOR.convTranspose2x2(x, n, cin, h, w, weight, cout, bias, actual);
        Close.assertClose("convTranspose2x2", expected, actual, 2e-6 * Math.sqrt(cin));
    }
}
