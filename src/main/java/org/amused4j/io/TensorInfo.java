package org.amused4j.io;

import java.util.Arrays;

/** One header entry of a safetensors file: dtype, shape and the byte range in the data section. */
public record TensorInfo(String name, DType dtype, int[] shape, long begin, long end) {
    public long numel() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
