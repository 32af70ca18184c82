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
 * The U-ViT ConvNeXt blocks' depthwise 3×3 convolution (768 channels, 16×16 tokens, padding 1, batch 2 for
 * guidance). Calls per second; the "gflop" counter is GFLOP/s (2·9 per output element).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DepthwiseConvBenchmark {
    private static final int BATCH = 2;

    @Param({"768"})
    public int channels;
    @Param({"16"})
    public int side;

    private final Kernels kernels = new VectorKernels();
    private float[] x;
    private float[] weight;
    private float[] bias;
    private float[] out;

    @Setup
    public void setUp() {
        Random random = new Random(42);
        x = new float[BATCH * channels * side * side];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        weight = new float[channels * 9];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) random.nextGaussian() / 3;
        }
        bias = new float[channels];
        out = new float[x.length];
    }

    @Benchmark
    public float[] depthwise(FlopCounter flops) {
        kernels.conv2d(x, BATCH, channels, side, side, weight, channels, 3, 3, bias, 1, 1, 1, 1, 1, channels, out);
        flops.gflop += 18.0 * out.length / 1e9;
        return out;
    }
}
