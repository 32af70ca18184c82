package org.amused4j.sampling;

/**
 * The default {@link RandomSource}: SplitMix64 (Steele, Lea, Flood 2014) seeded with a 64-bit seed, the top 24 bits
 * of each output giving one float uniform k / 2²⁴.
 *
 * <p>The algorithm is written out here rather than taken from {@code java.util.SplittableRandom} so that a seed gives
 * the same images on every JDK and machine. It does <b>not</b> reproduce PyTorch's generator (Mersenne Twister plus
 * its exponential-race multinomial, spec A1): the same seed gives different images than diffusers. For token-exact
 * comparisons replay a recorded stream with {@link ReplayRandomSource}.
 *
 * <p>Not thread-safe: one instance per generation.
 */
public final class SeededRandomSource implements RandomSource {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final float TWO_POW_MINUS_24 = 0x1.0p-24f;

    private long state;

    public SeededRandomSource(long seed) {
        this.state = seed;
    }

    /**
     * The generator's position: {@code new SeededRandomSource(state())} continues this stream exactly (the seed is
     * the initial state), which is how training checkpoints store their randomness.
     */
    public long state() {
        return state;
    }

    private long nextLong() {
        state += GOLDEN_GAMMA;
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public float nextUniform() {
        return (nextLong() >>> 40) * TWO_POW_MINUS_24;
    }
}
