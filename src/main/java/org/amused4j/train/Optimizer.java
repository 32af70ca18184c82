package org.amused4j.train;

import org.amused4j.io.SafeTensors;
import org.amused4j.io.SafeTensorsWriter;

/** A first-order optimizer over {@link ParameterGroups}; its state lives as long as the object. */
public interface Optimizer {
    /** Updates every trainable parameter from its current gradient with learning rate {@code lr}. */
    void step(double lr);

    /** Bytes of optimizer state currently held (moments, codes, scales), for memory accounting. */
    long stateBytes();

    /**
     * Adds the whole state to a checkpoint file, as tensors named {@code <parameter name>.<field>}: one
     * {@code .step} (I64 [1]) per parameter that has stepped, plus its moments in the optimizer's own layout.
     */
    void saveState(SafeTensorsWriter out);

    /**
     * Replaces the state with one {@link #saveState} wrote for parameters of the same names and sizes, so the
     * next {@link #step} continues exactly where the saved optimizer would have.
     */
    void loadState(SafeTensors in);
}
