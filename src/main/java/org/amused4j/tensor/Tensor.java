package org.amused4j.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor: a shape and a row-major {@code float[]}. This is the one tensor type the
 * models compute with; weights stored as F16/BF16 are widened to float32 when they are loaded.
 *
 * <p>Tensors are mutable on purpose (kernels write into preallocated outputs); {@link #reshape} shares
 * storage, {@link #copy} does not.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;

    private Tensor(float[] data, int[] shape) {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                    + " elements, storage has " + data.length);
        }
        this.shape = shape.clone();
        this.data = data;
    }

    public static Tensor zeros(int... shape) {
        long n = numel(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor too large for one array: " + Arrays.toString(shape));
        }
        return new Tensor(new float[(int) n], shape);
    }

    /** Wraps {@code data} (not copied) with the given shape. */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data, shape);
    }

    public static long numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}; negative {@code i} counts from the end. */
    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public int size() {
        return data.length;
    }

    /** The backing array, row-major. */
    public float[] data() {
        return data;
    }

    /** A view with another shape over the same storage. */
    public Tensor reshape(int... newShape) {
        return new Tensor(data, newShape);
    }

    public Tensor copy() {
        return new Tensor(data.clone(), shape);
    }

    /** A copy of entries [from, to) along the first axis (a batch's images from to to). */
    public Tensor images(int from, int to) {
        if (from < 0 || to > shape[0] || from >= to) {
            throw new IndexOutOfBoundsException("images [" + from + ", " + to + ") of " + this);
        }
        int per = size() / shape[0];
        int[] part = shape.clone();
        part[0] = to - from;
        return new Tensor(Arrays.copyOfRange(data, from * per, to * per), part);
    }

    public float get(int... index) {
        return data[offset(index)];
    }

    public void set(float value, int... index) {
        data[offset(index)] = value;
    }

    private int offset(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index rank " + index.length + " != tensor rank " + shape.length);
        }
        int off = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside " + Arrays.toString(shape));
            }
            off = off * shape[i] + index[i];
        }
        return off;
    }

    public boolean hasShape(int... expected) {
        return Arrays.equals(shape, expected);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
