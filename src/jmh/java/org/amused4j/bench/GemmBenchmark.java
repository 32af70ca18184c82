package org.amused4j.bench;

import org.amused4j.kernels.Kernels;
import org.amused4j.kernels.ReferenceKernels;
import org.amused4j.kernels.VectorKernels;
import org.amused4j.tensor.Half;
import org.amused4j.tensor.HalfWeight;
import org.amused4j.tensor.Weight;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The transformer's GEMM shapes: M = 512 token rows, K = 1024 hidden, N = output features. Layout "NT" is a
 * linear layer (weights stored [out, in], y = x·Wᵀ), "NN" a plain product. Weights "f32" are a float array;
 * "f16" and "bf16" are half-precision weights in native memory (as a memory-mapped file holds them), widened
 * while the GEMM packs them: NT is then {@code Kernels.linear}, NN {@code Kernels.multiplyByWeight} (the
 * input gradient of a frozen layer). The "gflop" counter is GFLOP/s (2·M·N·K per call); the primary score is
 * calls per second. One call uses every core (Kernels splits it). All of the model's shapes:
 * {@code -p k=768,1024,2816 -p n=768,1024,2816,5632,8192}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GemmBenchmark {
    private static final ValueLayout.OfShort LITTLE_ENDIAN_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    @Param({"512"})
    public int m;
    @Param({"1024"})
    public int k;
    @Param({"1024", "4096", "5632", "8192"})
    public int n;
    @Param({"NT", "NN"})
    public String layout;
    @Param({"f32", "f16"})
    public String weights;
    /** "vector" is the default backend; "reference" only makes sense for tiny shapes. */
    @Param({"vector"})
    public String backend;

    private Kernels kernels;
    private boolean transB;
    private float[] a;
    private float[] b;
    private Weight half;
    private float[] c;

    @Setup
    public void setUp() {
        kernels = backend.equals("reference") ? new ReferenceKernels() : new VectorKernels();
        transB = layout.equals("NT");
        Random random = new Random(42);
        a = filled(random, m * k);
        b = filled(random, k * n);
        c = new float[m * n];
        if (!weights.equals("f32")) {
            half = halfWeight(b, weights.equals("bf16") ? HalfWeight.Format.BF16 : HalfWeight.Format.F16,
                    transB ? new int[]{n, k} : new int[]{k, n});
        }
    }

    private static Weight halfWeight(float[] values, HalfWeight.Format format, int[] shape) {
        MemorySegment bytes = Arena.ofAuto().allocate(2L * values.length, 64);
        for (int i = 0; i < values.length; i++) {
            short bits = format == HalfWeight.Format.BF16 ? Half.floatToBf16(values[i]) : Half.floatToF16(values[i]);
            bytes.setAtIndex(LITTLE_ENDIAN_SHORT, i, bits);
        }
        return new HalfWeight(bytes, format, shape);
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
        if (half == null) {
            kernels.gemm(false, transB, m, n, k, 1f, a, 0, k, b, 0, transB ? k : n, 0f, c, 0, n);
        } else if (transB) {
            kernels.linear(m, n, k, a, 0, k, half, 0f, c, 0, n);
        } else {
            kernels.multiplyByWeight(m, n, k, a, 0, k, half, 0f, c, 0, n);
        }
        flops.gflop += 2.0 * m * n * k / 1e9;
        return c;
    }
}
