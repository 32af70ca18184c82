package org.amused4j.kernels;

/** Relative closeness checks for comparing backends: |actual − expected| ≤ tol·(1 + |expected|). */
final class Close {
    private Close() {
    }

    static void assertClose(String what, float[] expected, float[] actual, double tol) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": length " + actual.length + ", expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            boolean sameSpecial = Float.compare(expected[i], actual[i]) == 0;
            if (!sameSpecial && !(d <= tol * (1 + Math.abs(expected[i])))) {
                throw new AssertionError(String.format(
                        "%s: at %d expected %s, got %s (|diff| %.3g > %.3g·(1+|expected|))",
                        what, i, expected[i], actual[i], d, tol));
            }
        }
    }

    /** Uniform values in [-1, 1) from a fixed seed. */
    static float[] random(long seed, int size) {
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        return x;
    }
}
