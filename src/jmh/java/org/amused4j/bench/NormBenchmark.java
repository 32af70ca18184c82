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
 * The VQ decoder's GroupNorm (32 groups, affine, in place) alone and fused with the SiLU that follows it, at the
 * decoder's activation shapes (channels × side, one image): memory-bound passes over 8–128 MiB. Calls per
 * second; the "gbyte" counter is GB/s of the activation read once and written once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class NormBenchmark {
    private static final int GROUPS = 32;

    @Param({"512x64", "256x256", "128x512"})
    public String shape;

    private final Kernels kernels = new VectorKernels();
    private int channels;
    private int pixels;
    private float[] x;
    private float[] weight;
    private float[] bias;

    @Setup
    public void setUp() {
        String[] parts = shape.split("x");
        channels = Integer.parseInt(parts[0]);
        int side = Integer.parseInt(parts[1]);
        pixels = side * side;
        Random random = new Random(42);
        x = new float[channels * pixels];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        weight = new float[channels];
        bias = new float[channels];
        for (int c = 0; c < channels; c++) {
            weight[c] = 1f + 0.1f * (float) random.nextGaussian();
            bias[c] = 0.1f * (float) random.nextGaussian();
        }
    }

    @Benchmark
    public float[] groupNorm(ByteCounter bytes) {
        kernels.groupNorm(x, x, 1, channels, pixels, GROUPS, weight, bias, 1e-6f);
        bytes.gbyte += 8.0 * x.length / 1e9;
        return x;
    }

    @Benchmark
    public float[] groupNormSilu(ByteCounter bytes) {
        kernels.groupNormSilu(x, x, 1, channels, pixels, GROUPS, weight, bias, 1e-6f);
        bytes.gbyte += 8.0 * x.length / 1e9;
        return x;
    }
}
