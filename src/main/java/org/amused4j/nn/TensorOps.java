package org.amused4j.nn;

import org.amused4j.kernels.Kernels;
import org.amused4j.kernels.grad.BackwardKernels;
import org.amused4j.tensor.Tensor;

/**
 * The few element-wise tensor operations the models need besides the kernels. Only the {@code ...InPlace} ones
 * mutate, and only their first argument: use them on fresh intermediates the caller owns.
 */
public final class TensorOps {
    private TensorOps() {
    }

    /** a + b, same shapes (the residual connections). */
    public static Tensor add(Tensor a, Tensor b) {
        return addInPlace(a.copy(), b);
    }

    /** a + b recorded on {@code tape}: both inputs receive the output's gradient. */
    public static Tensor add(Tensor a, Tensor b, Tape tape) {
        Tensor y = add(a, b);
        tape.onBackward(y, dY -> {
            accumulate(tape.gradientBuffer(a), dY, 1f);
            accumulate(tape.gradientBuffer(b), dY, 1f);
        });
        return y;
    }

    /**
     * x + branch for a residual connection whose branch is a fresh output nobody else holds. With a recording tape
     * a new tensor, as {@link #add(Tensor, Tensor, Tape)}; without, x is added into the branch's own storage, which
     * spares a copy of x (the amused-256 transformer pass made 66 of 2 MB each). Float addition commutes, so the
     * values are the same either way.
     */
    public static Tensor residual(Tensor x, Tensor branch, Tape tape) {
        return tape.isRecording() ? add(x, branch, tape) : addInPlace(branch, x);
    }

    /** a + s·b, same shapes, recorded on {@code tape}. */
    public static Tensor addScaled(Tensor a, Tensor b, float s, Tape tape) {
        Tensor y = a.copy();
        float[] yd = y.data();
        float[] bd = b.data();
        for (int i = 0; i < yd.length; i++) {
            yd[i] += s * bd[i];
        }
        tape.onBackward(y, dY -> {
            accumulate(tape.gradientBuffer(a), dY, 1f);
            accumulate(tape.gradientBuffer(b), dY, s);
        });
        return y;
    }

    /** dst += s·src. */
    private static void accumulate(float[] dst, float[] src, float s) {
        for (int i = 0; i < dst.length; i++) {
            dst[i] += s * src[i];
        }
    }

    /**
     * SiLU of x, in place unless {@code tape} records: then into a new tensor, since the backward needs x.
     */
    public static Tensor siluInPlace(Tensor x, Tape tape) {
        return tape.isRecording() ? silu(x, tape) : siluInPlace(x);
    }

    /** SiLU(x) into a new tensor, recorded on {@code tape}. */
    public static Tensor silu(Tensor x, Tape tape) {
        Tensor y = silu(x);
        tape.onBackward(y, dY -> BackwardKernels.silu(x.data(), 0, x.size(), dY, tape.gradientBuffer(x)));
        return y;
    }

    /** Exact GELU of x, in place unless {@code tape} records (then into a new tensor, as {@link #siluInPlace}). */
    public static Tensor geluInPlace(Tensor x, Tape tape) {
        Tensor y = tape.isRecording() ? x.copy() : x;
        Kernels.get().gelu(y.data(), 0, y.size());
        tape.onBackward(y, dY -> BackwardKernels.gelu(x.data(), 0, x.size(), dY, tape.gradientBuffer(x)));
        return y;
    }

    /** CLIP's quick GELU x·σ(1.702x), in place unless {@code tape} records (as {@link #geluInPlace}). */
    public static Tensor quickGeluInPlace(Tensor x, Tape tape) {
        Tensor y = tape.isRecording() ? x.copy() : x;
        Kernels.get().quickGelu(y.data(), 0, y.size());
        tape.onBackward(y, dY -> BackwardKernels.quickGelu(x.data(), 0, x.size(), dY, tape.gradientBuffer(x)));
        return y;
    }

    /** x += other, same shapes; returns x. */
    public static Tensor addInPlace(Tensor x, Tensor other) {
        if (!x.hasShape(other.shape())) {
            throw new IllegalArgumentException("cannot add " + other + " to " + x);
        }
        Kernels.get().add(x.data(), other.data(), x.size());
        return x;
    }

    /** SiLU(x) in place; returns x. */
    public static Tensor siluInPlace(Tensor x) {
        Kernels.get().silu(x.data(), 0, x.size());
        return x;
    }

    /** SiLU(x) into a new tensor. */
    public static Tensor silu(Tensor x) {
        return siluInPlace(x.copy());
    }

    /** {@link #concatFeatures(Tensor, Tensor)} recorded on {@code tape}. */
    public static Tensor concatFeatures(Tensor a, Tensor b, Tape tape) {
        Tensor y = concatFeatures(a, b);
        tape.onBackward(y, dY -> {
            int batch = a.dim(0), m = a.dim(1), n = b.dim(1);
            float[] da = tape.gradientBuffer(a);
            float[] db = tape.gradientBuffer(b);
            for (int r = 0; r < batch; r++) {
                for (int j = 0; j < m; j++) {
                    da[r * m + j] += dY[r * (m + n) + j];
                }
                for (int j = 0; j < n; j++) {
                    db[r * n + j] += dY[r * (m + n) + m + j];
                }
            }
        });
        return y;
    }

    /** Concatenates two [B, m] and [B, n] matrices along the features into [B, m + n]. */
    public static Tensor concatFeatures(Tensor a, Tensor b) {
        int batch = a.dim(0), m = a.dim(1), n = b.dim(1);
        if (b.dim(0) != batch) {
            throw new IllegalArgumentException("batch sizes differ: " + a + " and " + b);
        }
        Tensor y = Tensor.zeros(batch, m + n);
        for (int r = 0; r < batch; r++) {
            System.arraycopy(a.data(), r * m, y.data(), r * (m + n), m);
            System.arraycopy(b.data(), r * n, y.data(), r * (m + n) + m, n);
        }
        return y;
    }
}
