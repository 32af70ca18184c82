package org.amused4j.nn;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.kernels.grad.BackwardKernels;
import org.amused4j.tensor.FloatWeight;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/**
 * {@code nn.Embedding(count, dim)}: a lookup table {@code weight} [count, dim] indexed by integer ids. The table
 * may stay in half precision (see {@link Weights#matrix}); lookups widen only the rows they read.
 */
public final class Embedding implements Module {
    private final int count;
    private final int dim;
    private final LayerWeight weight;

    public Embedding(Weights w, int count, int dim) {
        this.count = count;
        this.dim = dim;
        this.weight = new LayerWeight(w.matrix("weight", count, dim));
    }

    /** The live float32 table, widened on the first call when stored in half precision (as {@link Linear#weight}). */
    public Tensor weight() {
        return weight.float32();
    }

    public int count() {
        return count;
    }

    public int dim() {
        return dim;
    }

    /** The rows of {@code ids} as a new [ids.length, dim] tensor; callers check the id range with their own words. */
    public Tensor forward(int[] ids) {
        Tensor y = Tensor.zeros(ids.length, dim);
        Kernels.get().embedding(ids, weight.current(), y.data());
        return y;
    }

    /** {@link #forward(int[])}; the backward scatter-adds the output's gradient into the looked-up rows. */
    public Tensor forward(int[] ids, Tape tape) {
        Tensor y = forward(ids);
        if (!tape.isRecording()) {
            return y;
        }
        // Trained parameters were registered through parameters(), which made the table float32; one still in
        // half precision is frozen (and stays unwidened).
        float[] dWeight = weight.current() instanceof FloatWeight(Tensor table)
                ? tape.parameterGradient(table) : null;
        if (dWeight != null) {
            tape.onBackward(y, dY -> BackwardKernels.embedding(ids, count, dim, dY, dWeight));
        }
        return y;
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        sink.accept(prefix + "weight", weight());
    }
}
