package org.amused4j.nn;

import org.amused4j.tensor.Tensor;
import org.amused4j.tensor.Transpose;

/**
 * Conversions between the two layouts of the conv part: NCHW feature maps (what the convolutions and the
 * diffusers module boundaries use) and NHWC, i.e. [batch, tokens, channels] with row-major tokens (what the
 * norms, linears and attentions use).
 */
public final class Layouts {
    private Layouts() {
    }

    /** [B, C, H, W] to [B, H, W, C]. */
    public static Tensor toNhwc(Tensor x) {
        return toNhwc(x, Tape.NONE);
    }

    /** [B, H, W, C] to [B, C, H, W]. */
    public static Tensor toNchw(Tensor x) {
        return toNchw(x, Tape.NONE);
    }

    /**
     * {@link #toNhwc(Tensor)} into storage from {@code tape}, recorded on it (the backward transposes the gradient
     * back).
     */
    public static Tensor toNhwc(Tensor x, Tape tape) {
        int b = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        Tensor y = tape.output(b, h, w, c);
        Transpose.batched(x.data(), y.data(), b, c, h * w);
        tape.onBackward(y, dY -> addTransposed(dY, tape.gradientBuffer(x), x.dim(0), x.dim(2) * x.dim(3), x.dim(1)));
        return y;
    }

    /** {@link #toNchw(Tensor)} into storage from {@code tape}, recorded on it. */
    public static Tensor toNchw(Tensor x, Tape tape) {
        int b = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
        Tensor y = tape.output(b, c, h, w);
        Transpose.batched(x.data(), y.data(), b, h * w, c);
        tape.onBackward(y, dY -> addTransposed(dY, tape.gradientBuffer(x), x.dim(0), x.dim(3), x.dim(1) * x.dim(2)));
        return y;
    }

    /** dst += the transpose of each of {@code batch} [rows, cols] matrices of src. */
    private static void addTransposed(float[] src, float[] dst, int batch, int rows, int cols) {
        float[] t = new float[src.length];
        Transpose.batched(src, t, batch, rows, cols);
        for (int i = 0; i < t.length; i++) {
            dst[i] += t[i];
        }
    }
}
