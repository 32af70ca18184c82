package org.amused4j.golden;

import org.amused4j.tensor.Tensor;

import java.util.Arrays;

/** Element-wise closeness checks with messages that say where and by how much. */
public final class Approx {
    private Approx() {
    }

    public static void assertClose(String what, Tensor expected, Tensor actual, double atol) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            throw new AssertionError(what + ": shape " + Arrays.toString(actual.shape()) + ", expected "
                    + Arrays.toString(expected.shape()));
        }
        assertClose(what, expected.data(), actual.data(), atol);
    }

    public static void assertClose(String what, float[] expected, float[] actual, double atol) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": length " + actual.length + ", expected " + expected.length);
        }
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (!(d <= worst) || Double.isNaN(actual[i])) {
                if (Double.isNaN(d) || d > worst) {
                    worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                    worstAt = i;
                }
            }
        }
        if (worst > atol) {
            throw new AssertionError(String.format("%s: max abs difference %.3g at flat index %d (expected %s, got %s) exceeds atol %.3g",
                    what, worst, worstAt, expected[worstAt], actual[worstAt], atol));
        }
    }
}
