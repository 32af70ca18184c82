package org.amused4j.train;

import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On a model-sized noisy problem the 8-bit optimizer follows 32-bit AdamW closely while holding about a
 * quarter of its state. The objective is an ill-conditioned diagonal quadratic
 * {@code sum a_i (x_i - t_i)^2 / 2} (curvatures over two decades) with Gaussian gradient noise, split
 * into a large weight (quantized, with decay), a mid-sized one and a small bias (float32 path, no decay).
 */
class AdamW8bitTrajectoryTest {
    private static final int[] SIZES = {1 << 20, 40_000, 1000};
    private static final int STEPS = 200;
    private static final double LR = 1e-3;
    private static final float NOISE = 0.05f;

    @Test
    void tracksThirtyTwoBitAdamWWithAQuarterOfTheState() {
        Problem problem = new Problem(new SplittableRandom(11));
        List<Parameter> p32 = problem.start();
        List<Parameter> p8 = problem.start();
        AdamW adamw = new AdamW(ParameterGroups.splitByName(p32, 0.01), AdamSettings.DEFAULTS);
        AdamW8bit adamw8 = new AdamW8bit(ParameterGroups.splitByName(p8, 0.01), AdamSettings.DEFAULTS);
        SplittableRandom noise = new SplittableRandom(12);
        double initialLoss = problem.loss(p32);
        for (int step = 0; step < STEPS; step++) {
            // both see the same noise draw, so only the optimizers differ
            float[][] draw = problem.noise(noise);
            problem.gradient(p32, draw);
            problem.gradient(p8, draw);
            adamw.step(LR);
            adamw8.step(LR);
        }
        double moved = 0;
        double apart = 0;
        for (int t = 0; t < SIZES.length; t++) {
            float[] a = p32.get(t).value();
            float[] b = p8.get(t).value();
            float[] x0 = problem.x0[t];
            for (int i = 0; i < a.length; i++) {
                moved += sq(a[i] - x0[i]);
                apart += sq(a[i] - b[i]);
            }
        }
        double relative = Math.sqrt(apart / moved);
        double loss32 = problem.loss(p32);
        double loss8 = problem.loss(p8);
        double stateRatio = (double) adamw8.stateBytes() / adamw.stateBytes();
        System.out.printf("AdamW8bit vs AdamW after %d steps on %d parameters: |x8 - x32| / |x32 - x0| = %.4f, "
                        + "loss %.6g -> %.6g (32-bit) / %.6g (8-bit), state %d vs %d bytes (%.1f%%)%n",
                STEPS, problem.total, relative, initialLoss, loss32, loss8,
                adamw8.stateBytes(), adamw.stateBytes(), 100 * stateRatio);
        assertThat(loss32).isLessThan(0.5 * initialLoss);
        assertThat(relative).as("relative parameter difference").isLessThan(0.08);
        assertThat(Math.abs(loss8 - loss32) / (initialLoss - loss32)).as("relative loss gap").isLessThan(0.02);
        assertThat(stateRatio).as("8-bit state / 32-bit state").isLessThanOrEqualTo(0.30);
    }

    private static double sq(double x) {
        return x * x;
    }

    private static final class Problem {
        final float[][] x0 = new float[SIZES.length][];
        final float[][] target = new float[SIZES.length][];
        final float[][] curvature = new float[SIZES.length][];
        final int total;

        Problem(SplittableRandom random) {
            int n = 0;
            for (int t = 0; t < SIZES.length; t++) {
                x0[t] = new float[SIZES[t]];
                target[t] = new float[SIZES[t]];
                curvature[t] = new float[SIZES[t]];
                for (int i = 0; i < SIZES[t]; i++) {
                    x0[t][i] = (float) (0.1 * random.nextGaussian());
                    target[t][i] = (float) (0.1 * random.nextGaussian());
                    curvature[t][i] = (float) Math.pow(10, random.nextDouble(-1, 1));
                }
                n += SIZES[t];
            }
            total = n;
        }

        List<Parameter> start() {
            return List.of(Parameter.trainable("blocks.0.weight", Tensor.of(x0[0].clone(), 1024, 1024)),
                    Parameter.trainable("blocks.1.weight", Tensor.of(x0[1].clone(), SIZES[1])),
                    Parameter.trainable("blocks.1.bias", Tensor.of(x0[2].clone(), SIZES[2])));
        }

        float[][] noise(SplittableRandom random) {
            float[][] out = new float[SIZES.length][];
            for (int t = 0; t < SIZES.length; t++) {
                out[t] = new float[SIZES[t]];
                for (int i = 0; i < SIZES[t]; i++) {
                    out[t][i] = (float) (NOISE * random.nextGaussian());
                }
            }
            return out;
        }

        void gradient(List<Parameter> params, float[][] noise) {
            for (int t = 0; t < SIZES.length; t++) {
                float[] x = params.get(t).value();
                float[] g = params.get(t).grad();
                for (int i = 0; i < x.length; i++) {
                    g[i] = curvature[t][i] * (x[i] - target[t][i]) + noise[t][i];
                }
            }
        }

        double loss(List<Parameter> params) {
            double sum = 0;
            for (int t = 0; t < SIZES.length; t++) {
                float[] x = params.get(t).value();
                for (int i = 0; i < x.length; i++) {
                    sum += 0.5 * curvature[t][i] * sq(x[i] - target[t][i]);
                }
            }
            return sum;
        }
    }
}
