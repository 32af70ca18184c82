package org.amused4j.nn;

import org.amused4j.kernels.Kernels;
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

    /** x += other, same shapes; returns x. */
    public static Tensor addInPlace(Tensor x, Tensor other) {
        if (!x.hasShape(other.shape())) {
            throw new IllegalArgumentException("cannot add " + other + " to " + x);
        }
        float[] xd = x.data();
        float[] od = other.data();
        for (int i = 0; i < xd.length; i++) {
            xd[i] += od[i];
        }
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
