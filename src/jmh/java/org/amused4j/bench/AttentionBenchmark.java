package org.amused4j.bench;

import org.amused4j.kernels.Kernels;
import org.amused4j.kernels.VectorKernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The transformer's attention at batch 2 (guidance): 256 image tokens attending to themselves (lk = 256) or to
 * the 77 text tokens (lk = 77), 16 heads of 64 (the U-ViT layers; the blocks' attention has 12, {@code -p heads=12}).
 * Q, K and V are [batch, tokens, heads·64], as the projections leave them. The "gflop" counter is GFLOP/s of the
 * two products (4·batch·heads·lq·lk·headDim per call); softmax is not counted.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AttentionBenchmark {
    @Param({"256", "77"})
    public int lk;
    @Param({"16"})
    public int heads;

    private static final int BATCH = 2;
    private static final int LQ = 256;
    private static final int HEAD_DIM = 64;

    private final Kernels kernels = new VectorKernels();
    private float[] q;
    private float[] k;
    private float[] v;
    private float[] out;

    @Setup
    public void setUp() {
        Random random = new Random(42);
        int width = heads * HEAD_DIM;
        q = filled(random, BATCH * LQ * width);
        k = filled(random, BATCH * lk * width);
        v = filled(random, BATCH * lk * width);
        out = new float[BATCH * LQ * width];
    }

    private static float[] filled(Random random, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    @Benchmark
    public float[] attention(FlopCounter flops) {
        int width = heads * HEAD_DIM;
        kernels.attention(q, width, k, width, v, width, out, BATCH, heads, LQ, lk, HEAD_DIM, false);
        flops.gflop += 4.0 * BATCH * heads * LQ * lk * HEAD_DIM / 1e9;
        return out;
    }
}
