package org.amused4j.io;

import org.amused4j.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded random weights for building models without files (benchmarks, full-size construction tests).
 * Each tensor's values depend only on the seed and the tensor's name, not on the order of requests.
 * Records every requested name and shape, so parameter counts and name lists come for free.
 *
 * <p>Initialisation: names ending in {@code norm.weight}, {@code norm1.weight}, ... (norm scales) are 1,
 * biases 0, everything else normal with standard deviation 1/sqrt(fan_in), fan_in being the product of
 * all but the first dimension (embeddings: 1).
 */
public final class RandomWeights implements Weights {
    private final long seed;
    private final Map<String, int[]> requested = new LinkedHashMap<>();

    public RandomWeights(long seed) {
        this.seed = seed;
    }

    @Override
    public synchronized Tensor get(String name, int... shape) {
        requested.put(name, shape.clone());
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        if (name.endsWith(".bias") || name.endsWith(".beta")) {
            return t;
        }
        if (isNormScale(name)) {
            java.util.Arrays.fill(d, 1f);
            return t;
        }
        long fanIn = shape.length <= 1 || name.contains("embedding") ? 1 : Tensor.numel(shape) / shape[0];
        double std = 1.0 / Math.sqrt(fanIn);
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (gaussian(rnd) * std);
        }
        return t;
    }

    private static boolean isNormScale(String name) {
        String base = name.substring(0, name.lastIndexOf('.') < 0 ? 0 : name.lastIndexOf('.'));
        return name.endsWith(".weight") && (base.endsWith("norm") || base.matches(".*norm\\d*(\\.norm)?$")
                || base.endsWith("layer_norm") || base.endsWith("_ln") || base.endsWith("layer_norm1")
                || base.endsWith("layer_norm2"));
    }

    private static double gaussian(SplittableRandom rnd) {
        double u1 = rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** Every tensor requested so far, in request order, with its shape. */
    public synchronized Map<String, int[]> requested() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(requested));
    }

    public synchronized long parameterCount() {
        return requested.values().stream().mapToLong(Tensor::numel).sum();
    }
}
