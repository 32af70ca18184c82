package org.amused4j.io;

import org.amused4j.kernels.Parallel;
import org.amused4j.tensor.Tensor;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded random weights for building models without files (benchmarks, full-size construction tests).
 * Each tensor's values depend only on the seed and the tensor's name, not on the order of requests nor on
 * the number of threads. Records every requested name and shape, so parameter counts and name lists come
 * for free.
 *
 * <p>Initialisation: biases ({@code .bias}, GRN {@code .beta}) are 0; one-dimensional {@code .weight}s are 1 (in
 * these models every 1-D weight is a norm scale: LayerNorm, RMSNorm, GroupNorm); everything else has mean 0 and
 * standard deviation 1/sqrt(fan_in), fan_in being the product of all but the first dimension (embeddings: 1).
 *
 * <p>Distribution: approximately normal, as the Irwin–Hall sum of four independent uniform 16-bit integers (the
 * four quarters of one random {@code long}), centred and scaled to the standard deviation above. It is
 * bell-shaped and bounded at ±2√3 standard deviations; exact normality does not matter for these uses, speed
 * does (a full-size transformer has 600M parameters). The values are generated in fixed chunks of
 * {@value #CHUNK} elements, chunk i from its own {@link SplittableRandom} seeded by (seed, name, i), in parallel.
 */
public final class RandomWeights implements Weights {
    private static final int CHUNK = 1 << 16;
    /** Mean and standard deviation of the sum of four uniform integers in [0, 65535]. */
    private static final double SUM_MEAN = 4 * 65535 / 2.0;
    private static final double SUM_STD = Math.sqrt(4 * (65536.0 * 65536.0 - 1) / 12);

    private final long seed;
    private final Map<String, int[]> requested = new LinkedHashMap<>();

    public RandomWeights(long seed) {
        this.seed = seed;
    }

    @Override
    public Tensor get(String name, int... shape) {
        synchronized (requested) {
            requested.put(name, shape.clone());
        }
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        if (name.endsWith(".bias") || name.endsWith(".beta")) {
            return t;
        }
        if (shape.length == 1 && name.endsWith(".weight")) {
            Arrays.fill(d, 1f);
            return t;
        }
        long fanIn = shape.length <= 1 || name.contains("embedding") ? 1 : Tensor.numel(shape) / Math.max(1, shape[0]);
        double scale = 1.0 / Math.sqrt(Math.max(1, fanIn)) / SUM_STD;
        long tensorSeed = seed ^ nameHash(name);
        int chunks = (d.length + CHUNK - 1) / CHUNK;
        Parallel.forEach(chunks, c -> {
            SplittableRandom rnd = new SplittableRandom(mix64(tensorSeed + c * 0x9E3779B97F4A7C15L));
            for (int i = c * CHUNK, end = Math.min(d.length, i + CHUNK); i < end; i++) {
                long bits = rnd.nextLong();
                long sum = (bits & 0xffff) + (bits >>> 16 & 0xffff) + (bits >>> 32 & 0xffff) + (bits >>> 48);
                d[i] = (float) ((sum - SUM_MEAN) * scale);
            }
        });
        return t;
    }

    /** 64-bit FNV-1a of the UTF-8 name: unlike String.hashCode, short names do not collide in practice. */
    private static long nameHash(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    /**
     * Stafford's mix13 finaliser: consecutive chunk seeds become unrelated, so no chunk's stream is a shifted
     * copy of its neighbour's (which plain {@code seed + c·gamma} seeds would give with SplittableRandom).
     */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Every tensor requested so far, in request order, with its shape. */
    public Map<String, int[]> requested() {
        synchronized (requested) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(requested));
        }
    }

    public long parameterCount() {
        synchronized (requested) {
            return requested.values().stream().mapToLong(Tensor::numel).sum();
        }
    }
}
