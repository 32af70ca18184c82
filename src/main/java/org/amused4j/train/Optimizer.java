package org.amused4j.train;

/** A first-order optimizer over {@link ParameterGroups}; its state lives as long as the object. */
public interface Optimizer {
    /** Updates every trainable parameter from its current gradient with learning rate {@code lr}. */
    void step(double lr);

    /** Bytes of optimizer state currently held (moments, codes, scales), for memory accounting. */
    long stateBytes();
}
