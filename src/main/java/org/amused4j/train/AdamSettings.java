package org.amused4j.train;

/** Adam's betas and epsilon; {@link #DEFAULTS} are the script's {@code --adam_beta1/2}, {@code --adam_epsilon}. */
public record AdamSettings(double beta1, double beta2, double eps) {
    public static final AdamSettings DEFAULTS = new AdamSettings(0.9, 0.999, 1e-8);

    public AdamSettings {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0)) {
            throw new IllegalArgumentException("invalid Adam settings: betas (" + beta1 + ", " + beta2
                    + "), eps " + eps);
        }
    }
}
