package org.amused4j.io;

import org.amused4j.tensor.Tensor;
import org.amused4j.tensor.Weight;

/**
 * Where a model gets its parameters from, by their diffusers names. A model asks for each tensor with
 * the shape its config implies; the source either supplies it (checking the shape) or creates it
 * (random initialisation), so the same construction code loads files and builds random full-size models.
 */
public interface Weights {

    /**
     * The tensor called {@code name}, which must have exactly {@code shape}.
     *
     * @throws org.amused4j.tensor.AmusedException when it is missing or has another shape; the message
     *                                             names the tensor, the expected and the found shape
     */
    Tensor get(String name, int... shape);

    /**
     * Like {@link #get}, for a large read-only matrix (linear, embedding and convolution weights): a source may hand out its
     * stored half-precision values instead of a float32 copy. The default is {@code get}'s tensor.
     */
    default Weight matrix(String name, int... shape) {
        return Weight.of(get(name, shape));
    }

    /** A view that puts {@code prefix + "."} before every name. */
    default Weights prefixed(String prefix) {
        Weights parent = this;
        return new Weights() {
            @Override
            public Tensor get(String name, int... shape) {
                return parent.get(prefix + "." + name, shape);
            }

            @Override
            public Weight matrix(String name, int... shape) {
                return parent.matrix(prefix + "." + name, shape);
            }

            @Override
            public Weights prefixed(String more) {
                return parent.prefixed(prefix + "." + more);
            }
        };
    }
}
