package org.amused4j.kernels.grad;

import org.amused4j.kernels.Kernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.amused4j.kernels.grad.GradCheck.random;

/**
 * Gradient checks of conv2d over each backward strategy (1×1 matrix products, depthwise loops, im2col, dX as the
 * convolution with the flipped kernel) with strides, asymmetric padding and groups, and of the 2×2 transposed
 * convolution.
 */
class ConvolutionBackwardTest {

    @ParameterizedTest(name = "n={0} cin={1} {2}x{3} cout={4} k={5}x{6} s={7} pad=({8},{9},{10},{11}) groups={12}")
    @CsvSource({
            "1,1,1,1,1,1,1,1,0,0,0,0,1",     // smallest
            "2,3,7,5,4,1,1,1,0,0,0,0,1",     // pointwise
            "2,4,5,3,6,1,1,1,0,0,0,0,2",     // pointwise, grouped
            "2,3,7,5,4,3,3,1,1,1,1,1,1",     // 3x3 same padding
            "2,5,16,16,3,3,3,1,1,1,1,1,1",   // 3x3 same padding, enough tiles that dX runs through Winograd
            "1,3,7,5,2,3,3,1,0,2,1,0,1",     // stride 1, asymmetric padding (dX by the flipped kernel)
            "1,3,7,5,2,3,3,2,0,1,0,1,1",     // strided, asymmetric padding
            "2,4,6,6,4,2,2,2,0,0,0,0,1",     // 2x2 stride 2 (the down-sampling conv)
            "2,5,7,5,5,3,3,1,1,1,1,1,5",     // depthwise
            "1,3,5,7,6,3,3,2,1,0,2,1,3",     // depthwise with multiplier 2, strided, asymmetric
            "1,4,5,13,6,1,3,1,0,0,1,1,2",    // grouped 1x3
            "1,2,3,3,3,5,5,1,2,2,2,2,1"      // kernel larger than the image
    })
    void conv2d(int n, int cin, int h, int w, int cout, int kh, int kw, int stride, int pt, int pb, int pl, int pr,
                int groups) {
        float[][] in = {random(1, n * cin * h * w), random(2, cout * (cin / groups) * kh * kw), random(3, cout)};
        double[][] d0 = GradCheck.toDouble(in);
        int oh = (h + pt + pb - kh) / stride + 1;
        int ow = (w + pl + pr - kw) / stride + 1;
        float[] out = new float[n * cout * oh * ow];
        Kernels.get().conv2d(in[0], n, cin, h, w, in[1], cout, kh, kw, in[2], stride, pt, pb, pl, pr, groups, out);
        GradCheck.assertSameForward("conv2d", DoubleForwards.conv2d(d0[0], n, cin, h, w, d0[1], cout, kh, kw, d0[2],
                stride, pt, pb, pl, pr, groups), out);
        GradCheck.check("conv2d", in, new int[]{0, 1, 2},
                d -> DoubleForwards.conv2d(d[0], n, cin, h, w, d[1], cout, kh, kw, d[2], stride, pt, pb, pl, pr, groups),
                (x, dOut, g) -> BackwardKernels.conv2d(x[0], n, cin, h, w, x[1], cout, kh, kw, stride, pt, pb, pl, pr,
                        groups, dOut, g[0], g[1], g[2]));
    }

    @ParameterizedTest(name = "n={0} cin={1} {2}x{3} cout={4}")
    @CsvSource({"1,1,1,1,1", "2,3,5,7,4", "1,5,3,1,13"})
    void convTranspose2x2(int n, int cin, int h, int w, int cout) {
        float[][] in = {random(4, n * cin * h * w), random(5, cin * cout * 4), random(6, cout)};
        double[][] d0 = GradCheck.toDouble(in);
        float[] out = new float[n * cout * 4 * h * w];
        Kernels.get().convTranspose2x2(in[0], n, cin, h, w, in[1], cout, in[2], out);
        GradCheck.assertSameForward("convTranspose2x2",
                DoubleForwards.convTranspose2x2(d0[0], n, cin, h, w, d0[1], cout, d0[2]), out);
        GradCheck.check("convTranspose2x2", in, new int[]{0, 1, 2},
                d -> DoubleForwards.convTranspose2x2(d[0], n, cin, h, w, d[1], cout, d[2]),
                (x, dOut, g) -> BackwardKernels.convTranspose2x2(x[0], n, cin, h, w, x[1], cout, dOut, g[0], g[1], g[2]));
    }
}
