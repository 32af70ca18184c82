package org.amused4j.perf;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.amused4j.kernels.Parallel;

/**
 * The machine's float32 fused-multiply-add throughput as the Vector API reaches it: every core runs independent
 * FMA chains on registers only (no memory traffic), the yardstick for how close the kernels get.
 */
public final class FmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Independent accumulators per thread: enough to hide the FMA latency on current x86 cores. */
    private static final int CHAINS = 12;

    private FmaPeak() {
    }

    /**
     * GFLOP/s over all {@link Parallel#threads()} threads: the best round of a few milliseconds each, once no round
     * has beaten the best by 1 % for half a second (at least 20 rounds; at most 5 s). Three rounds were at the mercy
     * of the JIT (they reported 117 and 159 GFLOP/s where the machine does ~235); half a second of rounds still
     * reported 117 in one run of 28 Nov, when the compiler threads held a core through the whole of it after start.
     */
    public static double measure() {
        long iterations = 2_000_000;
        double flops = 2.0 * S.length() * CHAINS * iterations * Parallel.threads();
        run(iterations / 10); // JIT warm-up
        double best = 0;
        long start = System.nanoTime();
        long lastGain = start;
        for (int round = 0; ; round++) {
            long t0 = System.nanoTime();
            run(iterations);
            long now = System.nanoTime();
            double rate = flops / ((now - t0) / 1e9) / 1e9;
            if (rate > 1.01 * best) {
                lastGain = now;
            }
            best = Math.max(best, rate);
            if (round >= 20 && now - lastGain > 500_000_000L || now - start > 5_000_000_000L) {
                return best;
            }
        }
    }

    private static void run(long iterations) {
        float[] sink = new float[Parallel.threads()];
        Parallel.forEach(Parallel.threads(), t -> sink[t] = chains(iterations, t));
        if (Float.isNaN(sink[0])) {
            throw new AssertionError("unreachable: keeps the result alive");
        }
    }

    private static float chains(long iterations, int seed) {
        FloatVector a = FloatVector.broadcast(S, 0.999999f);
        FloatVector b = FloatVector.broadcast(S, 1e-7f * (seed + 1));
        FloatVector c0 = FloatVector.broadcast(S, 1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < iterations; i++) {
            c0 = c0.fma(a, b);
            c1 = c1.fma(a, b);
            c2 = c2.fma(a, b);
            c3 = c3.fma(a, b);
            c4 = c4.fma(a, b);
            c5 = c5.fma(a, b);
            c6 = c6.fma(a, b);
            c7 = c7.fma(a, b);
            c8 = c8.fma(a, b);
            c9 = c9.fma(a, b);
            c10 = c10.fma(a, b);
            c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
