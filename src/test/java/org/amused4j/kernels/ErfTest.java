package org.amused4j.kernels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ErfTest {

    /** Reference values of erf from high-precision tables; the fit promises fractional error below 1.2e-7. */
    @Test
    void erfMatchesKnownValues() {
        assertThat(Erf.erf(0.0)).isCloseTo(0.0, within(1.2e-7));
        assertThat(Erf.erf(0.5)).isCloseTo(0.5204998778130465, within(1.2e-7));
        assertThat(Erf.erf(1.0)).isCloseTo(0.8427007929497149, within(1.2e-7));
        assertThat(Erf.erf(2.0)).isCloseTo(0.9953222650189527, within(1.2e-7));
        assertThat(Erf.erf(-1.5)).isCloseTo(-0.9661051464753108, within(1.2e-7));
    }

    /**
     * The vectorized erfc (float arithmetic, own exp) against the double-precision scalar one over [-9, 9]
     * (erfc(9) ≈ 4e-37, near the float range's end): relative error within 1e-6, i.e. a few float ulp.
     */
    @Test
    void vectorErfcTracksScalarErfc() {
        int lanes = VectorMath.LANES;
        float[] x = new float[lanes];
        float[] y = new float[lanes];
        double worst = 0;
        for (int i = -9000; i <= 9000; i += lanes) {
            for (int l = 0; l < lanes; l++) {
                x[l] = (i + l) / 1000f;
            }
            System.arraycopy(x, 0, y, 0, lanes);
            VectorMath.erfc(y, 0, lanes, new float[lanes]);
            for (int l = 0; l < lanes; l++) {
                double expected = Erf.erfc(x[l]);
                worst = Math.max(worst, Math.abs(y[l] - expected) / expected);
            }
        }
        assertThat(worst).isLessThan(1e-6);
    }

    /** The vector exp against Math.exp over the whole finite float range, plus its overflow/underflow/NaN ends. */
    @Test
    void vectorExpTracksMathExp() {
        int lanes = VectorMath.LANES;
        float[] x = new float[lanes];
        float[] y = new float[lanes];
        double worst = 0;
        for (int i = -87000; i <= 88000; i += lanes) {
            for (int l = 0; l < lanes; l++) {
                x[l] = (i + l) / 1000f;
            }
            System.arraycopy(x, 0, y, 0, lanes);
            VectorMath.exp(y, 0, lanes);
            for (int l = 0; l < lanes; l++) {
                double expected = Math.exp(x[l]);
                worst = Math.max(worst, Math.abs(y[l] - expected) / expected);
            }
        }
        assertThat(worst).isLessThan(4e-7);
        float[] special = new float[lanes];
        special[0] = 89f;
        special[1] = -88f;
        special[2] = Float.NaN;
        special[3] = Float.NEGATIVE_INFINITY;
        VectorMath.exp(special, 0, 4);
        y = special;
        assertThat(y[0]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(y[1]).isZero();
        assertThat(y[2]).isNaN();
        assertThat(y[3]).isZero();
    }
}
