package org.amused4j.kernels;

import org.amused4j.bench.FlopCounter;
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
 * The VQ decoder's 3×3 size-preserving convolutions (channels × side, one image, cin = cout) by each algorithm
 * the vector backend has: "winograd" (F(4×4, 3×3)) and "im2col" (im2col + GEMM). In this package so that it
 * can call both directly. The "gflop" counter is effective GFLOP/s: direct-convolution flops
 * (2·cout·cin·9·pixels) per second, whatever the algorithm does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx6g", "-XX:+UseG1GC"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class ConvBenchmark {
    /**
     * channels x side: the decoder's mid/first block (768×32 at 512 px), then each up block's resnets (128×512: the
     * last one at 512 px).
     */
    @Param({"768x16", "768x32", "512x64", "256x128", "256x256", "128x256", "128x512"})
    public String shape;
    @Param({"winograd", "im2col"})
    public String algorithm;

    private ConvGeometry geometry;
    private float[] x;
    private float[] weight;
    private float[] bias;
    private float[] out;

    @Setup
    public void setUp() {
        String[] parts = shape.split("x");
        int c = Integer.parseInt(parts[0]);
        int side = Integer.parseInt(parts[1]);
        geometry = new ConvGeometry(c, side, side, c, 3, 3, 1, 1, 1, 1, 1, 1);
        Random random = new Random(42);
        x = gaussian(random, c * side * side, 1);
        weight = gaussian(random, c * c * 9, 1 / Math.sqrt(9.0 * c));
        bias = gaussian(random, c, 0.1);
        out = new float[c * side * side];
    }

    private static float[] gaussian(Random random, int size, double std) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) (random.nextGaussian() * std);
        }
        return v;
    }

    @Benchmark
    public float[] conv(FlopCounter flops) {
        if (algorithm.equals("winograd")) {
            Winograd.conv(x, 1, geometry, weight, bias, out);
        } else {
            Convolutions.viaGemm(x, 1, geometry, weight, bias, out, 1 << 24);
        }
        flops.gflop += 2.0 * geometry.cout() * geometry.cin() * 9 * geometry.oh() * geometry.ow() / 1e9;
        return out;
    }
}
