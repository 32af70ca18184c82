package org.amused4j.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same input gives bit-identical output on every call, cold or JIT-compiled: sampling decisions hang on the
 * last bits of the logits, so a run must replay exactly. (Float lane reductions whose order is unspecified broke
 * this once: the interpreter and C2 summed the lanes in different orders.)
 */
class DeterminismTest {
    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return x;
    }

    @Test
    void normsGiveIdenticalBitsColdAndAfterJitWarmUp() {
        Kernels k = new VectorKernels();
        int rows = 7;
        int cols = 1000;
        float[] x = random(rows * cols, 1);
        float[] w = random(cols, 2);
        float[] b = random(cols, 3);
        float[] coldLn = new float[x.length];
        float[] coldRms = new float[x.length];
        float[] coldGn = new float[x.length];
        k.layerNorm(x, coldLn, rows, cols, w, b, 1e-6f);
        k.rmsNorm(x, coldRms, rows, cols, w, 1e-6f);
        k.groupNorm(x, coldGn, 1, 7, 1000, 7, random(7, 4), random(7, 5), 1e-6f);
        float[] out = new float[x.length];
        for (int i = 0; i < 3000; i++) { // enough calls for C2 to compile the loops
            k.layerNorm(x, out, rows, cols, w, b, 1e-6f);
            k.rmsNorm(x, out, rows, cols, w, 1e-6f);
            k.groupNorm(x, out, 1, 7, 1000, 7, random(7, 4), random(7, 5), 1e-6f);
        }
        float[] warm = new float[x.length];
        k.layerNorm(x, warm, rows, cols, w, b, 1e-6f);
        assertThat(warm).as("layerNorm").containsExactly(coldLn);
        k.rmsNorm(x, warm, rows, cols, w, 1e-6f);
        assertThat(warm).as("rmsNorm").containsExactly(coldRms);
        k.groupNorm(x, warm, 1, 7, 1000, 7, random(7, 4), random(7, 5), 1e-6f);
        assertThat(warm).as("groupNorm").containsExactly(coldGn);
    }
}
