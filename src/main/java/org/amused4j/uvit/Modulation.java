package org.amused4j.uvit;

import org.amused4j.tensor.Tensor;

/**
 * A per-image affine modulation {@code x·(1 + scale) + shift}, with scale and shift [B, dim] obtained by
 * splitting a [B, 2·dim] projection of the conditioning vector (scale = first half). It depends only on
 * the conditioning, so it is computed once per prompt; {@code gain} holds 1 + scale.
 */
record Modulation(Tensor gain, Tensor shift) {

    /** Splits {@code projected} [B, 2·dim] into (1 + first half, second half). */
    static Modulation split(Tensor projected) {
        int batch = projected.dim(0);
        int dim = projected.dim(1) / 2;
        Tensor gain = Tensor.zeros(batch, dim);
        Tensor shift = Tensor.zeros(batch, dim);
        float[] p = projected.data();
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < dim; j++) {
                gain.data()[b * dim + j] = 1f + p[b * 2 * dim + j];
                shift.data()[b * dim + j] = p[b * 2 * dim + dim + j];
            }
        }
        return new Modulation(gain, shift);
    }

    int dim() {
        return gain.dim(1);
    }

    /** In place on x [B, L, dim]: every token of image b gets image b's modulation. */
    void applyToTokens(Tensor x) {
        int batch = x.dim(0), dim = dim();
        int tokens = x.size() / (batch * dim);
        float[] d = x.data();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) {
                int base = (b * tokens + t) * dim;
                for (int j = 0; j < dim; j++) {
                    d[base + j] = d[base + j] * gain.data()[b * dim + j] + shift.data()[b * dim + j];
                }
            }
        }
    }

    /** In place on an NCHW map x [B, dim, H, W]: channel c of image b gets (gain[b,c], shift[b,c]). */
    void applyToChannels(Tensor x) {
        int batch = x.dim(0), dim = dim();
        int plane = x.size() / (batch * dim);
        float[] d = x.data();
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < dim; c++) {
                float g = gain.data()[b * dim + c];
                float s = shift.data()[b * dim + c];
                int base = (b * dim + c) * plane;
                for (int i = 0; i < plane; i++) {
                    d[base + i] = d[base + i] * g + s;
                }
            }
        }
    }
}
