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
        int b = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        Tensor out = Tensor.zeros(b, h, w, c);
        Transpose.batched(x.data(), out.data(), b, c, h * w);
        return out;
    }

    /** [B, H, W, C] to [B, C, H, W]. */
    public static Tensor toNchw(Tensor x) {
        int b = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
        Tensor out = Tensor.zeros(b, c, h, w);
        Transpose.batched(x.data(), out.data(), b, h * w, c);
        return out;
    }

    /** {@link #toNhwc(Tensor)} recorded on {@code tape} (the backward transposes the gradient back). */
    public static Tensor toNhwc(Tensor x, Tape tape) {
        Tensor y = toNhwc(x);
        tape.onBackward(y, dY -> addTransposed(dY, tape.gradientBuffer(x), x.dim(0), x.dim(2) * x.dim(3), x.dim(1)));
        return y;
    }

    /** {@link #toNchw(Tensor)} recorded on {@code tape}. */
    public static Tensor toNchw(Tensor x, Tape tape) {
        Tensor y = toNchw(x);
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
