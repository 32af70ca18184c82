package org.amused4j.io;

import org.amused4j.tensor.Tensor;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded random weights for building models without files (benchmarks, full-size construction tests).
 * Each tensor's values depend only on the seed and the tensor's name, not on the order of requests.
 * Records every requested name and shape, so parameter counts and name lists come for free.
 *
 * <p>Initialisation: biases ({@code .bias}, GRN {@code .beta}) are 0; one-dimensional {@code .weight}s are 1 (in
 * these models every 1-D weight is a norm scale: LayerNorm, RMSNorm, GroupNorm); everything else is normal with
 * standard deviation 1/sqrt(fan_in), fan_in being the product of all but the first dimension (embeddings: 1).
 */
public final class RandomWeights implements Weights {
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
        double std = 1.0 / Math.sqrt(Math.max(1, fanIn));
        SplittableRandom rnd = new SplittableRandom(seed ^ nameHash(name));
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (gaussian(rnd) * std);
        }
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

    private static double gaussian(SplittableRandom rnd) {
        double u1 = rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
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
