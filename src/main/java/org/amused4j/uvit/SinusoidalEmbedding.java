package org.amused4j.uvit;

import org.amused4j.tensor.Tensor;

/**
 * diffusers {@code get_timestep_embedding} as the U-ViT uses it for micro-conditioning: flip_sin_to_cos
 * (cos first), downscale_freq_shift 0, scale 1, max period 10000, evaluated in float32 like diffusers does
 * even for other model dtypes (spec 05 §1).
 */
final class SinusoidalEmbedding {
    private static final float NEG_LOG_MAX_PERIOD = (float) -Math.log(10000.0);

    private SinusoidalEmbedding() {
    }

    /**
     * Embeds every value of {@code values} [B, n] into {@code dim} channels: [cos(v·f_0..), sin(v·f_0..)]
     * with f_i = exp(-ln(10000)·i/(dim/2)); an odd {@code dim} gets a trailing zero. Result [B, n·dim],
     * row-major over (value, channel).
     */
    static Tensor embed(Tensor values, int dim) {
        int half = dim / 2;
        float[] freq = new float[half];
        for (int i = 0; i < half; i++) {
            freq[i] = (float) Math.exp((NEG_LOG_MAX_PERIOD * i) / half);
        }
        int batch = values.dim(0);
        int n = values.dim(1);
        Tensor out = Tensor.zeros(batch, n * dim);
        float[] v = values.data();
        float[] o = out.data();
        for (int k = 0; k < batch * n; k++) {
            int base = k * dim;
            for (int i = 0; i < half; i++) {
                float angle = v[k] * freq[i];
                o[base + i] = (float) Math.cos(angle);
                o[base + half + i] = (float) Math.sin(angle);
            }
        }
        return out;
    }
}
