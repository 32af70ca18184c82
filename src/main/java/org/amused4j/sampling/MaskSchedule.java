package org.amused4j.sampling;

import org.amused4j.tensor.AmusedException;

import java.util.Arrays;
import java.util.Locale;

/**
 * The fraction of tokens left masked after a step (spec 07 §5), computed in float32 exactly as PyTorch does: in
 * double precision the cosine schedule at step 7 of 12 gives 0.5 instead of 0.49999997 and re-masks one token more.
 */
public enum MaskSchedule {
    /** cos(ratio·π/2): text-to-image and img2img. */
    COSINE("cosine") {
        @Override
        float ofRatio(float ratio) {
            float angle = ratio * (float) Math.PI / 2f;
            return (float) Math.cos(angle);
        }
    },
    /** 1 − ratio: the inpainting pipeline forces this one. */
    LINEAR("linear") {
        @Override
        float ofRatio(float ratio) {
            return 1f - ratio;
        }
    };

    private final String configName;

    MaskSchedule(String configName) {
        this.configName = configName;
    }

    abstract float ofRatio(float ratio);

    /** The mask ratio after step index {@code stepIndex} of {@code steps}: ratio = (k+1)/N in float32. */
    public float maskRatio(int stepIndex, int steps) {
        return ofRatio((float) (stepIndex + 1) / (float) steps);
    }

    /** The name diffusers uses in scheduler_config.json. */
    public String configName() {
        return configName;
    }

    public static MaskSchedule fromConfigName(String name) {
        for (MaskSchedule s : values()) {
            if (s.configName.equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new AmusedException("unknown masking_schedule '" + name + "', expected one of "
                + Arrays.stream(values()).map(MaskSchedule::configName).toList());
    }
}
