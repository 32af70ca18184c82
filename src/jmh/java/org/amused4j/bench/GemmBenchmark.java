package org.amused4j.bench;

import org.amused4j.kernels.Kernels;
import org.amused4j.kernels.ReferenceKernels;
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
 * The transformer's GEMM shapes: M = 512 token rows, K = 1024 hidden, N = output features. Layout "NT" is a
 * linear layer (weights stored [out, in], y = x·Wᵀ), "NN" a plain product. The "gflop" counter is GFLOP/s
 * (2·M·N·K per call); the primary score is calls per second. One call uses every core (Kernels splits it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GemmBenchmark {
    @Param({"512"})
    public int m;
    @Param({"1024"})
    public int k;
    @Param({"1024", "4096", "5632", "8192"})
    public int n;
    @Param({"NT", "NN"})
    public String layout;
    /** "vector" is the default backend; "reference" only makes sense for tiny shapes. */
    @Param({"vector"})
    public String backend;

    private Kernels kernels;
    private boolean transB;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setUp() {
        kernels = backend.equals("reference") ? new ReferenceKernels() : new VectorKernels();
        transB = layout.equals("NT");
        Random random = new Random(42);
        a = filled(random, m * k);
        b = filled(random, k * n);
        c = new float[m * n];
    }

    private static float[] filled(Random random, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = random.nextFloat() - 0.5f;
        }
        return x;
    }

    @Benchmark
    public float[] gemm(FlopCounter flops) {
        kernels.gemm(false, transB, m, n, k, 1f, a, 0, k, b, 0, transB ? k : n, 0f, c, 0, n);
        flops.gflop += 2.0 * m * n * k / 1e9;
        return c;
    }
}
