package org.amused4j.kernels.grad;

import org.amused4j.kernels.Kernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.amused4j.kernels.grad.GradCheck.random;

/** Gradient checks of LayerNorm, RMSNorm, GroupNorm and the global response norm. */
class NormBackwardTest {
    private static final float EPS = 1e-5f;

    @ParameterizedTest(name = "rows={0} cols={1} affine={2}")
    @CsvSource({"1,1,true", "3,5,false", "7,13,true", "13,7,true", "5,3,false", "600,5,true"})
    void layerNorm(int rows, int cols, boolean affine) {
        float[][] in = {random(1, rows * cols, 2f, 0.5f), random(2, cols, 1f, 1f), random(3, cols)};
        double[][] d0 = GradCheck.toDouble(in);
        float[] y = new float[rows * cols];
        Kernels.get().layerNorm(in[0], y, rows, cols, affine ? in[1] : null, affine ? in[2] : null, EPS);
        GradCheck.assertSameForward("layerNorm", DoubleForwards.norm(d0[0], rows, cols, affine ? d0[1] : null,
                affine ? d0[2] : null, EPS, false), y);
        GradCheck.check("layerNorm affine=" + affine, in, affine ? new int[]{0, 1, 2} : new int[]{0},
                d -> DoubleForwards.norm(d[0], rows, cols, affine ? d[1] : null, affine ? d[2] : null, EPS, false),
                (x, dY, g) -> BackwardKernels.layerNorm(x[0], rows, cols, affine ? x[1] : null, EPS, dY,
                        g[0], g[1], g[2]));
    }

    @ParameterizedTest(name = "rows={0} cols={1} affine={2}")
    @CsvSource({"1,1,true", "3,5,false", "7,13,true", "13,7,false", "600,3,true"})
    void rmsNorm(int rows, int cols, boolean affine) {
        float[][] in = {random(4, rows * cols, 2f, 0.3f), random(5, cols, 1f, 1f)};
        double[][] d0 = GradCheck.toDouble(in);
        float[] y = new float[rows * cols];
        Kernels.get().rmsNorm(in[0], y, rows, cols, affine ? in[1] : null, 1e-6f);
        GradCheck.assertSameForward("rmsNorm", DoubleForwards.norm(d0[0], rows, cols, affine ? d0[1] : null,
                null, 1e-6f, true), y);
        GradCheck.check("rmsNorm affine=" + affine, in, affine ? new int[]{0, 1} : new int[]{0},
                d -> DoubleForwards.norm(d[0], rows, cols, affine ? d[1] : null, null, 1e-6f, true),
                (x, dY, g) -> BackwardKernels.rmsNorm(x[0], rows, cols, affine ? x[1] : null, 1e-6f, dY, g[0], g[1]));
    }

    @ParameterizedTest(name = "n={0} channels={1} hw={2} groups={3} affine={4}")
    @CsvSource({"1,1,1,1,true", "2,6,5,3,true", "3,4,7,1,false", "1,13,3,13,true", "2,8,13,4,true",
            "2,8,300,2,true"})  // the last: whole vectors, a tail, and a group over two of the 1024-element sum blocks
    void groupNorm(int n, int channels, int hw, int groups, boolean affine) {
        float[][] in = {random(6, n * channels * hw, 2f, -0.4f), random(7, channels, 1f, 1f), random(8, channels)};
        double[][] d0 = GradCheck.toDouble(in);
        float[] y = new float[in[0].length];
        Kernels.get().groupNorm(in[0], y, n, channels, hw, groups, affine ? in[1] : null, affine ? in[2] : null, EPS);
        GradCheck.assertSameForward("groupNorm", DoubleForwards.groupNorm(d0[0], n, channels, hw, groups,
                affine ? d0[1] : null, affine ? d0[2] : null, EPS), y);
        GradCheck.check("groupNorm affine=" + affine, in, affine ? new int[]{0, 1, 2} : new int[]{0},
                d -> DoubleForwards.groupNorm(d[0], n, channels, hw, groups, affine ? d[1] : null,
                        affine ? d[2] : null, EPS),
                (x, dY, g) -> BackwardKernels.groupNorm(x[0], n, channels, hw, groups, affine ? x[1] : null, EPS,
                        dY, g[0], g[1], g[2]));
    }

    @ParameterizedTest(name = "batch={0} pixels={1} channels={2}")
    @CsvSource({"1,1,1", "2,5,3", "3,7,13", "1,13,5", "2,4,1"})
    void globalResponseNorm(int batch, int pixels, int channels) {
        float[][] in = {random(9, batch * pixels * channels, 2f, 0.1f), random(10, channels), random(11, channels)};
        GradCheck.check("globalResponseNorm", in, new int[]{0, 1, 2},
                d -> DoubleForwards.globalResponseNorm(d[0], batch, pixels, channels, d[1], d[2], 1e-6),
                (x, dY, g) -> BackwardKernels.globalResponseNorm(x[0], batch, pixels, channels, x[1], 1e-6f, dY,
                        g[0], g[1], g[2]));
    }
}
