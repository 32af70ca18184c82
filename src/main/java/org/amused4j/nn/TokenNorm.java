package org.amused4j.nn;

/**
 * A norm over the last axis of [..., dim] tokens (LayerNorm, RMSNorm) that can also run inside one pass with the
 * residual sum before it and the per-image modulation after it ({@link org.amused4j.kernels.Kernels#modulatedNorm}).
 */
public interface TokenNorm extends Layer {

    /**
     * {@code x[r] += addend[r]} (unless addend is null), then {@code out[r] = this norm of x[r] · gain[i] + shift[i]}
     * for the rows r of x [rows, dim], i = r / rowsPerImage; no backward.
     */
    void normalizeModulated(float[] x, float[] addend, float[] out, int rows, float[] gain, float[] shift,
                            int rowsPerImage);
}
