package org.amused4j.kernels;

/** The error function, which Java's Math lacks; needed by the exact GELU of the U-ViT. */
public final class Erf {
    private Erf() {
    }

    /**
     * erfc(x) by the Chebyshev-fitted rational form of Numerical Recipes (§6.2), fractional error below
     * 1.2e-7 everywhere, evaluated in double so float results are correctly rounded or off by one ulp.
     */
    public static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double ans = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? ans : 2.0 - ans;
    }

    public static double erf(double x) {
        return 1.0 - erfc(x);
    }

    /** GELU(x) = x·Φ(x) = 0.5·x·erfc(−x/√2), written with erfc so large negative x keeps its precision. */
    public static float gelu(float x) {
        return (float) (0.5 * x * erfc(-x * 0.7071067811865476));
    }
}
