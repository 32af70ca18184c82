package org.amused4j.train;

import org.amused4j.kernels.Parallel;

import java.util.List;

/**
 * The last step of a data-parallel pass: every replica but the first accumulated into its own copy of the gradient
 * buffers, and these fold them into the first's (the parameters the optimizer steps). The sums run in replica
 * order, so the result depends on the replica count and never on the machine.
 */
public final class ReplicaGradients {
    private ReplicaGradients() {
    }

    /**
     * {@code grad += Σ shadow.grad} for every parameter of {@code target}, then {@code grad *= scale}; the shadows'
     * parameters line up with the target's by index. Parameters without a gradient are left alone.
     */
    public static void foldInto(List<Parameter> target, List<List<Parameter>> shadows, float scale) {
        if (shadows.isEmpty() && scale == 1f) {
            return;
        }
        Parallel.forEach(target.size(), i -> {
            float[] grad = target.get(i).grad();
            if (grad == null) {
                return;
            }
            for (List<Parameter> shadow : shadows) {
                float[] other = shadow.get(i).grad();
                for (int k = 0; k < grad.length; k++) {
                    grad[k] += other[k];
                }
            }
            if (scale != 1f) {
                for (int k = 0; k < grad.length; k++) {
                    grad[k] *= scale;
                }
            }
        });
    }
}
