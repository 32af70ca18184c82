package org.amused4j.tensor;

/** A weight held as a float32 tensor on the heap. */
public record FloatWeight(Tensor tensor) implements Weight {

    @Override
    public int[] shape() {
        return tensor.shape();
    }

    @Override
    public long size() {
        return tensor.size();
    }

    @Override
    public void read(long from, float[] dst, int dstOff, int n) {
        System.arraycopy(tensor.data(), Math.toIntExact(from), dst, dstOff, n);
    }

    @Override
    public Tensor toFloat32() {
        return tensor;
    }
}
