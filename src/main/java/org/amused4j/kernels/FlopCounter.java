package org.amused4j.kernels;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the multiply-add work of the matrix-shaped kernels (GEMM, convolutions, attention) while switched on, so
 * benchmarks report GFLOP/s from the work actually done rather than from a formula. One volatile read per kernel
 * call when off; the elementwise kernels are not counted (they are a rounding error next to the GEMMs).
 */
public final class FlopCounter {
    private static final LongAdder FLOPS = new LongAdder();
    private static volatile boolean counting;

    private FlopCounter() {
    }

    /** Resets the count and starts counting. */
    public static void start() {
        FLOPS.reset();
        counting = true;
    }

    /** Stops counting and returns the floating-point operations (a multiply-add counts 2) since {@link #start}. */
    public static long stop() {
        counting = false;
        return FLOPS.sum();
    }

    static void add(long flops) {
        if (counting) {
            FLOPS.add(flops);
        }
    }
}
