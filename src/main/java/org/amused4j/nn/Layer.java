package org.amused4j.nn;

import org.amused4j.tensor.Tensor;

/** A module that maps one tensor to a new one (linears, norms, convolutions). */
public interface Layer extends Module {
    Tensor forward(Tensor x);

    /**
     * The forward, with its backward registered on {@code tape} ({@link Tape#NONE}: just the forward).
     * Layers that have no backward reject a recording tape.
     */
    default Tensor forward(Tensor x, Tape tape) {
        if (tape.isRecording()) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " has no backward pass");
        }
        return forward(x);
    }
}
