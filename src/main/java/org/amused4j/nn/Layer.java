package org.amused4j.nn;

import org.amused4j.tensor.Tensor;

/** A module that maps one tensor to a new one (linears, norms, convolutions). */
public interface Layer extends Module {
    Tensor forward(Tensor x);
}
