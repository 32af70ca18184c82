package org.amused4j.uvit;

import org.amused4j.kernels.grad.BackwardKernels;
import org.amused4j.kernels.Parallel;
import org.amused4j.nn.Tape;
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

    /** {@link #split(Tensor)} recorded on {@code tape}: the halves' gradients go back into the projection's. */
    static Modulation split(Tensor projected, Tape tape) {
        Modulation m = split(projected);
        int batch = m.gain.dim(0), dim = m.dim();
        tape.onBackward(m.gain, dGain -> addHalf(dGain, tape.gradientBuffer(projected), batch, dim, 0));
        tape.onBackward(m.shift, dShift -> addHalf(dShift, tape.gradientBuffer(projected), batch, dim, dim));
        return m;
    }

    private static void addHalf(float[] half, float[] dProjected, int batch, int dim, int offset) {
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < dim; j++) {
                dProjected[b * 2 * dim + offset + j] += half[b * dim + j];
            }
        }
    }

    /** The scale itself (gain − 1), which the backward kernels take. */
    private float[] scale() {
        float[] s = gain.data().clone();
        for (int i = 0; i < s.length; i++) {
            s[i] -= 1f;
        }
        return s;
    }

    /** Modulates the tokens of x [B, L, dim]: in place unless {@code tape} records (then into a new tensor). */
    Tensor applyToTokens(Tensor x, Tape tape) {
        Tensor y = tape.isRecording() ? x.copy() : x;
        applyToTokens(y);
        tape.onBackward(y, dY -> BackwardKernels.modulateTokens(x.data(), x.dim(0), x.size() / (x.dim(0) * dim()),
                dim(), scale(), dY, tape.gradientBuffer(x), tape.gradientBuffer(gain), tape.gradientBuffer(shift)));
        return y;
    }

    /** Modulates the channels of an NCHW map x: in place unless {@code tape} records. */
    Tensor applyToChannels(Tensor x, Tape tape) {
        Tensor y = tape.isRecording() ? x.copy() : x;
        applyToChannels(y);
        tape.onBackward(y, dY -> BackwardKernels.modulateChannels(x.data(), x.dim(0), dim(),
                x.size() / (x.dim(0) * dim()), scale(), dY, tape.gradientBuffer(x), tape.gradientBuffer(gain),
                tape.gradientBuffer(shift)));
        return y;
    }

    int dim() {
        return gain.dim(1);
    }

    /** The modulation of images [from, to) alone. */
    Modulation images(int from, int to) {
        return new Modulation(gain.images(from, to), shift.images(from, to));
    }

    /** In place on x [B, L, dim]: every token of image b gets image b's modulation. */
    private void applyToTokens(Tensor x) {
        int batch = x.dim(0), dim = dim();
        int tokens = x.size() / (batch * dim);
        float[] d = x.data();
        float[] g = gain.data();
        float[] s = shift.data();
        Parallel.forEach(batch * tokens, row -> {
            int base = row * dim;
            int b = row / tokens * dim;
            for (int j = 0; j < dim; j++) {
                d[base + j] = d[base + j] * g[b + j] + s[b + j];
            }
        });
    }

    /** In place on an NCHW map x [B, dim, H, W]: channel c of image b gets (gain[b,c], shift[b,c]). */
    private void applyToChannels(Tensor x) {
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
