package org.amused4j.uvit;

import org.amused4j.kernels.Kernels;
import org.amused4j.tensor.Tensor;

/** The few element-wise tensor operations the model needs besides the kernels; none mutates its inputs. */
final class TensorOps {
    private TensorOps() {
    }

    /** a + b, same shapes (the residual connections). */
    static Tensor add(Tensor a, Tensor b) {
        if (!a.hasShape(b.shape())) {
            throw new IllegalArgumentException("cannot add " + a + " and " + b);
        }
        Tensor y = a.copy();
        float[] yd = y.data();
        float[] bd = b.data();
        for (int i = 0; i < yd.length; i++) {
            yd[i] += bd[i];
        }
        return y;
    }

    /** SiLU(x) into a new tensor. */
    static Tensor silu(Tensor x) {
        Tensor y = x.copy();
        Kernels.get().silu(y.data(), 0, y.size());
        return y;
    }

    /** Concatenates two [B, m] and [B, n] matrices along the features into [B, m + n]. */
    static Tensor concatFeatures(Tensor a, Tensor b) {
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
