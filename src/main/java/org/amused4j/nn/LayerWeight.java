package org.amused4j.nn;

import org.amused4j.tensor.HalfWeight;
import org.amused4j.tensor.Tensor;
import org.amused4j.tensor.Weight;

/**
 * A layer's weight as it was stored (possibly half precision, memory-mapped) until something needs it as a float32
 * tensor (training, merging): then it is widened once, its mapped pages are released, and the layer computes with
 * that tensor from then on, so in-place updates take effect. Volatile: inference threads see the swap.
 */
final class LayerWeight {
    private volatile Weight current;

    LayerWeight(Weight stored) {
        this.current = stored;
    }

    /** What the kernels read now. */
    Weight current() {
        return current;
    }

    /** The live float32 tensor, widening a half-precision weight on the first call. */
    synchronized Tensor float32() {
        Weight w = current;
        Tensor t = w.toFloat32();
        if (w instanceof HalfWeight h) {
            h.releasePages(); // the float32 copy replaces it for good
        }
        current = Weight.of(t);
        return t;
    }
}
