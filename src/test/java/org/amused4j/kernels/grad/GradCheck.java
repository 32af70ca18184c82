package org.amused4j.kernels.grad;

import java.util.Arrays;
import java.util.Random;

/**
 * Finite-difference gradient checks of a float32 backward against a double-precision forward.
 *
 * <p>The scalar checked is L = Σ out·R for a random R, so the backward receives dOut = R. The reference
 * gradient is the central difference (L(θ+h) − L(θ−h)) / 2h of the double forward with h = 1e-5, accurate
 * to ~1e-9 relative for the smooth ops here — as good as a double analytic gradient, so the tolerance
 * measures only the float32 error of the backward. Gradient buffers start filled with random values and
 * the check subtracts them afterwards, which verifies that the backward accumulates (+=) rather than
 * overwrites. Each wanted gradient is also computed alone (the others null) to exercise skipping.
 */
final class GradCheck {
    private static final double H = 1e-5;
    /** |analytic − numeric| ≤ REL·|numeric| + FLOOR·max|numeric|: float32 arithmetic vs an exact reference. */
    private static final double REL = 1e-3;
    private static final double FLOOR = 2e-5;

    @FunctionalInterface
    interface Forward {
        double[] apply(double[][] inputs);
    }

    @FunctionalInterface
    interface Backward {
        /** Accumulates into grads[i] for each wanted input i; grads[i] is null for the others. */
        void apply(float[][] inputs, float[] dOut, float[][] grads);
    }

    private GradCheck() {
    }

    /** Checks the gradients with respect to inputs {@code wrt} (indices into {@code inputs}). */
    static void check(String what, float[][] inputs, int[] wrt, Forward forward, Backward backward) {
        double[][] in = toDouble(inputs);
        double[] out = forward.apply(in);
        float[] dOut = random(what.hashCode(), out.length);
        double[][] numeric = new double[inputs.length][];
        for (int k : wrt) {
            numeric[k] = numericGradient(in, k, forward, dOut);
        }
        float[][] together = runBackward(inputs, dOut, wrt, backward);
        for (int k : wrt) {
            assertGradient(what + ", input " + k, numeric[k], together[k]);
        }
        if (wrt.length > 1) {
            for (int k : wrt) {
                float[][] alone = runBackward(inputs, dOut, new int[]{k}, backward);
                assertGradient(what + ", input " + k + " alone", numeric[k], alone[k]);
            }
        }
    }

    private static float[][] runBackward(float[][] inputs, float[] dOut, int[] wrt, Backward backward) {
        float[][] grads = new float[inputs.length][];
        float[][] initial = new float[inputs.length][];
        for (int k : wrt) {
            initial[k] = random(31 * k + 7, inputs[k].length);
            grads[k] = initial[k].clone();
        }
        float[][] inputsCopy = Arrays.stream(inputs).map(float[]::clone).toArray(float[][]::new);
        float[] dOutCopy = dOut.clone();
        backward.apply(inputsCopy, dOutCopy, grads);
        for (int k = 0; k < inputs.length; k++) {
            if (!Arrays.equals(inputs[k], inputsCopy[k])) {
                throw new AssertionError("the backward modified input " + k);
            }
        }
        if (!Arrays.equals(dOut, dOutCopy)) {
            throw new AssertionError("the backward modified dOut");
        }
        float[][] added = new float[inputs.length][];
        for (int k : wrt) {
            added[k] = new float[grads[k].length];
            for (int i = 0; i < added[k].length; i++) {
                added[k][i] = grads[k][i] - initial[k][i];
            }
        }
        return added;
    }

    private static double[] numericGradient(double[][] in, int k, Forward forward, float[] r) {
        double[] grad = new double[in[k].length];
        for (int i = 0; i < grad.length; i++) {
            double saved = in[k][i];
            in[k][i] = saved + H;
            double plus = dot(forward.apply(in), r);
            in[k][i] = saved - H;
            double minus = dot(forward.apply(in), r);
            in[k][i] = saved;
            grad[i] = (plus - minus) / (2 * H);
        }
        return grad;
    }

    static void assertGradient(String what, double[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": length " + actual.length + ", expected " + expected.length);
        }
        double max = 0;
        for (double e : expected) {
            max = Math.max(max, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs(actual[i] - expected[i]);
            double allowed = REL * Math.abs(expected[i]) + FLOOR * Math.max(max, 1e-3);
            if (!(diff <= allowed)) {
                throw new AssertionError(String.format("%s: gradient[%d] = %s, finite differences give %s"
                        + " (|diff| %.3g > %.3g; max |gradient| %.3g)", what, i, actual[i], expected[i], diff,
                        allowed, max));
            }
        }
    }

    /** The double forward and a float32 one agree (guards the test's reference against layout mistakes). */
    static void assertSameForward(String what, double[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(actual[i] - expected[i]) <= 1e-5 * (1 + Math.abs(expected[i])))) {
                throw new AssertionError(what + ": float forward[" + i + "] = " + actual[i] + ", double reference "
                        + expected[i]);
            }
        }
    }

    private static double dot(double[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[][] toDouble(float[][] x) {
        double[][] d = new double[x.length][];
        for (int k = 0; k < x.length; k++) {
            d[k] = new double[x[k].length];
            for (int i = 0; i < x[k].length; i++) {
                d[k][i] = x[k][i];
            }
        }
        return d;
    }

    /** Uniform values in [-1, 1) from a fixed seed. */
    static float[] random(long seed, int size) {
        Random r = new Random(seed);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        return x;
    }

    static float[] random(long seed, int size, float scale, float shift) {
        float[] x = random(seed, size);
        for (int i = 0; i < size; i++) {
            x[i] = x[i] * scale + shift;
        }
        return x;
    }
}
