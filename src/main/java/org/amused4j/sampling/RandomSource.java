package org.amused4j.sampling;

/**
 * The only source of randomness of the sampler: uniforms in [0, 1).
 *
 * <p>Consumption order (golden README §7, identical for every implementation, so that a recorded stream can be
 * replayed): img2img first draws B·h·w uniforms for {@link AmusedScheduler#addNoise} (row-major b, y, x); then every
 * {@link AmusedScheduler#step} draws B·L uniforms for the categorical samples (b-major, then position y·w + x)
 * followed, except at timestep 0, by B·L uniforms for the Gumbel noise (same order).
 *
 * <p>Values are float32. They are used as float32 for the Gumbel noise and the add_noise comparison, and widened to
 * double for the categorical draw. Implementations should return multiples of 2⁻²⁴ (as PyTorch's float uniforms
 * are) so that both uses see the same exact number.
 */
public interface RandomSource {

    /** The next uniform in [0, 1). */
    float nextUniform();

    /** Fills {@code out[from, to)} with the next uniforms, in index order. */
    default void fill(float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = nextUniform();
        }
    }

    /** A fresh array of the next {@code count} uniforms. */
    default float[] next(int count) {
        float[] out = new float[count];
        fill(out, 0, count);
        return out;
    }
}
