package org.amused4j.train;

import org.amused4j.kernels.Parallel;

/** Runs an element-wise update over [0, n) on all cores when the tensor is big enough to pay for it. */
final class ElementChunks {
    /** Below this many elements a parameter is updated on the calling thread. */
    private static final int PARALLEL_MIN = 1 << 15;

    private ElementChunks() {
    }

    static void run(int n, Parallel.RangeBody body) {
        if (n < PARALLEL_MIN) {
            body.run(0, n);
        } else {
            Parallel.forRange(n, body);
        }
    }
}
