package org.amused4j.tensor;

/**
 * A read-only parameter tensor that layers compute with as float32, whatever its storage: a float32
 * {@link Tensor} on the heap ({@link FloatWeight}) or the F16/BF16 bytes of a memory-mapped weight file
 * ({@link HalfWeight}), widened only while a kernel reads them. Widening is exact, so a layer gives the same
 * result with either storage; keeping half-precision files mapped halves the memory of the large matrices.
 */
public sealed interface Weight permits FloatWeight, HalfWeight {

    /** Float32 storage around {@code tensor} (not copied: it stays the live parameter). */
    static Weight of(Tensor tensor) {
        return new FloatWeight(tensor);
    }

    int[] shape();

    /** Number of elements. */
    long size();

    /** Widens the {@code n} elements from flat index {@code from} (row-major) into {@code dst[dstOff..]}. */
    void read(long from, float[] dst, int dstOff, int n);

    /**
     * The values as a float32 tensor: the live tensor of a {@link FloatWeight}, a widened copy of a
     * {@link HalfWeight}.
     */
    Tensor toFloat32();
}
