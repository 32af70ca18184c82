package org.amused4j.kernels;

/** Scratch arrays the kernels keep per thread and grow on demand, reused across calls. */
final class Scratch {
    private Scratch() {
    }

    /** {@code buffer} when it holds at least {@code size} floats, else a new array of {@code size}. */
    static float[] atLeast(float[] buffer, int size) {
        return buffer.length >= size ? buffer : new float[size];
    }
}
