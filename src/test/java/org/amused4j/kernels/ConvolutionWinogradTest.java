package org.amused4j.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ConvolutionWinogradTest {

    /**
     * Winograd against the scalar reference on uniform [-1, 1) data: single pixels, widths that leave partial
     * tiles and partial vectors of tiles (70 → 18 tiles), channel counts off the vector width, no padding,
     * asymmetric and double padding, several bands run in parallel (2 × 70×70). Same tolerance as the GEMM
     * paths, 2e-6·√depth relative; measured worst 1.2e-6·√depth.
     */
    @ParameterizedTest(name = "n={0} cin={1} {2}x{3} cout={4} pad={5},{6},{7},{8} bias={9}")
    @CsvSource({
            "1, 1, 1, 1, 1, 1, 1, 1, 1, true",
            "1, 3, 2, 3, 5, 1, 1, 1, 1, false",
            "2, 5, 7, 9, 17, 1, 1, 1, 1, true",
            "1, 17, 9, 70, 3, 1, 1, 1, 1, true",
            "1, 4, 12, 11, 6, 0, 0, 0, 0, true",
            "1, 6, 8, 13, 4, 0, 2, 1, 0, false",
            "1, 2, 5, 5, 2, 2, 2, 2, 2, true",
            "2, 8, 70, 70, 16, 1, 1, 1, 1, true"})
    void matchesReference(int n, int cin, int h, int w, int cout, int padTop, int padBottom, int padLeft,
                          int padRight, boolean withBias) {
        ConvGeometry g = new ConvGeometry(cin, h, w, cout, 3, 3, 1, padTop, padBottom, padLeft, padRight, 1);
        float[] x = Close.random(1, n * cin * h * w);
        float[] weight = Close.random(2, cout * cin * 9);
        float[] bias = withBias ? Close.random(3, cout) : null;
        float[] expected = new float[n * cout * g.oh() * g.ow()];
        float[] actual = new float[expected.length];
        Arrays.fill(actual, Float.NaN);
        new ReferenceKernels().conv2d(x, n, cin, h, w, weight, cout, 3, 3, bias, 1, padTop, padBottom, padLeft,
                padRight, 1, expected);
        Winograd.conv(x, n, g, weight, bias, actual);
        Close.assertClose("winograd conv2d", expected, actual, 2e-6 * Math.sqrt(cin * 9));
    }

    /**
     * The accuracy that matters for the VQ decoder: unit-Gaussian activations (as after GroupNorm), Kaiming-scaled
     * weights, 256 input channels, against a double-precision direct sum. Measured max error: 1.3e-5 for
     * Winograd, 2.8e-6 for im2col + GEMM, on outputs up to 4.1; the bound leaves room for 2× but not for a
     * wrong transform coefficient.
     */
    @Test
    void realisticMagnitudesStayCloseToTheExactSum() {
        int cin = 256;
        int cout = 32;
        int side = 24;
        Random r = new Random(5);
        float[] x = new float[cin * side * side];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] weight = new float[cout * cin * 9];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) (r.nextGaussian() / Math.sqrt(9 * cin));
        }
        double[] exact = directInDouble(x, weight, cin, cout, side);
        ConvGeometry g = new ConvGeometry(cin, side, side, cout, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] winograd = new float[exact.length];
        Winograd.conv(x, 1, g, weight, null, winograd);
        assertThat(maxError(exact, winograd)).isLessThan(3e-5);
    }

    /** VectorKernels routes 3×3 stride-1 dense convolutions with enough tiles to Winograd, others elsewhere. */
    @Test
    void appliesOnlyWhereItPays() {
        assertThat(Winograd.applies(new ConvGeometry(8, 32, 32, 8, 3, 3, 1, 1, 1, 1, 1, 1), 1)).isTrue();
        assertThat(Winograd.applies(new ConvGeometry(8, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1), 1)).isFalse();
        assertThat(Winograd.applies(new ConvGeometry(8, 32, 32, 8, 3, 3, 2, 1, 1, 1, 1, 1), 1)).isFalse();
        assertThat(Winograd.applies(new ConvGeometry(8, 32, 32, 8, 3, 3, 1, 1, 1, 1, 1, 2), 1)).isFalse();
        assertThat(Winograd.applies(new ConvGeometry(8, 32, 32, 8, 1, 1, 1, 0, 0, 0, 0, 1), 1)).isFalse();
    }

    private static double[] directInDouble(float[] x, float[] weight, int cin, int cout, int side) {
        double[] y = new double[cout * side * side];
        for (int co = 0; co < cout; co++) {
            for (int oy = 0; oy < side; oy++) {
                for (int ox = 0; ox < side; ox++) {
                    double s = 0;
                    for (int ci = 0; ci < cin; ci++) {
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int iy = oy + ky - 1;
                                int ix = ox + kx - 1;
                                if (iy >= 0 && iy < side && ix >= 0 && ix < side) {
                                    s += (double) x[(ci * side + iy) * side + ix]
                                            * weight[((co * cin + ci) * 3 + ky) * 3 + kx];
                                }
                            }
                        }
                    }
                    y[(co * side + oy) * side + ox] = s;
                }
            }
        }
        return y;
    }

    private static double maxError(double[] exact, float[] actual) {
        double worst = 0;
        for (int i = 0; i < exact.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - exact[i]));
        }
        return worst;
    }
}
