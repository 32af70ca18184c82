package org.amused4j.train;

import org.amused4j.io.SafeTensors;
import org.amused4j.io.SafeTensorsWriter;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;

import java.util.List;

/**
 * An exponential moving average of parameters, diffusers' {@code EMAModel} with the script's settings
 * ({@code min_decay = 0}, no EMA warm-up; spec 09 §7, trap 48). At the n-th {@link #step} (n from 1):
 * k = max(0, n - updateAfterStep - 1); decay = 0 if k = 0 (so the first update copies the weights),
 * else min((1 + k) / (10 + k), maxDecay); then {@code shadow -= (1 - decay) * (shadow - param)} in
 * float32 for trainable parameters, {@code shadow = param} for frozen ones.
 */
public final class Ema {
    /** The metadata key of the step count in a saved state. */
    public static final String STEPS_KEY = "optimization_step";

    private final List<Parameter> parameters;
    private final float[][] shadow;
    private final double maxDecay;
    private final int updateAfterStep;
    private int optimizationStep;

    /** Starts the average at the parameters' current values. */
    public Ema(List<Parameter> parameters, double maxDecay, int updateAfterStep) {
        this.parameters = List.copyOf(parameters);
        this.maxDecay = maxDecay;
        this.updateAfterStep = updateAfterStep;
        this.shadow = this.parameters.stream().map(p -> p.value().clone()).toArray(float[][]::new);
    }

    /** The script's defaults: {@code --ema_decay 0.9999}, {@code --ema_update_after_step 0}. */
    public static Ema withDefaults(List<Parameter> parameters) {
        return new Ema(parameters, 0.9999, 0);
    }

    /** The decay the n-th step uses (n from 1). */
    public double decay(int step) {
        int k = Math.max(0, step - updateAfterStep - 1);
        return k <= 0 ? 0.0 : Math.min((1.0 + k) / (10.0 + k), maxDecay);
    }

    /** Folds the parameters' current values into the average (after an optimizer step). */
    public void step() {
        optimizationStep++;
        float oneMinusDecay = (float) (1 - decay(optimizationStep));
        for (int t = 0; t < shadow.length; t++) {
            float[] s = shadow[t];
            float[] p = parameters.get(t).value();
            if (!parameters.get(t).isTrainable()) {
                System.arraycopy(p, 0, s, 0, p.length);
                continue;
            }
            ElementChunks.run(s.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    s[i] = s[i] - oneMinusDecay * (s[i] - p[i]);
                }
            });
        }
    }

    public int steps() {
        return optimizationStep;
    }

    /** The averaged values of the i-th parameter (live; do not modify). */
    public float[] shadow(int index) {
        return shadow[index];
    }

    /**
     * Adds the averages to a checkpoint file under the parameters' names, with the number of steps taken as
     * metadata {@value #STEPS_KEY}.
     */
    public void saveState(SafeTensorsWriter out) {
        out.metadata(STEPS_KEY, Integer.toString(optimizationStep));
        for (int t = 0; t < shadow.length; t++) {
            out.f32(parameters.get(t).name(), Tensor.of(shadow[t], parameters.get(t).shape()));
        }
    }

    /** Restores what {@link #saveState} wrote for the same parameters. */
    public void loadState(SafeTensors in) {
        String steps = in.metadata().get(STEPS_KEY);
        if (steps == null) {
            throw new AmusedException(in.file() + ": not an EMA state (no " + STEPS_KEY
                    + " metadata)");
        }
        for (int t = 0; t < shadow.length; t++) {
            OptimizerStates.copy(in, parameters.get(t).name(), shadow[t]);
        }
        optimizationStep = Integer.parseInt(steps);
    }

    /** Writes the averaged values into the parameters (before validation or saving). */
    public void copyTo(List<Parameter> target) {
        if (target.size() != shadow.length) {
            throw new IllegalArgumentException("EMA tracks " + shadow.length + " parameters, got " + target.size());
        }
        for (int t = 0; t < shadow.length; t++) {
            System.arraycopy(shadow[t], 0, target.get(t).value(), 0, shadow[t].length);
        }
    }
}
