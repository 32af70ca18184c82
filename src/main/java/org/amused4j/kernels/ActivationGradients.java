package org.amused4j.kernels;

/**
 * The activations' backward passes in vector code, for the training kernels ({@code kernels.grad}): they sit
 * here beside {@link VectorMath}, whose erfc and exp the forward passes use too. Each accumulates
 * ({@code dX +=}) and indexes x, dY and dX alike; the ranges are split over threads.
 */
public final class ActivationGradients {
    private static final float QUICK_GELU_ALPHA = 1.702f;

    private ActivationGradients() {
    }

    /** Exact GELU over [off, off+len): dX += dY·(Φ(x) + x·φ(x)). */
    public static void gelu(float[] x, int off, int len, float[] dY, float[] dX) {
        VectorKernels.inChunks(off, len, (from, to) -> VectorMath.geluGradient(x, from, to - from, dY, dX));
    }

    /** SiLU x·σ(x) over [off, off+len): dX += dY·σ(x)·(1 + x·(1 − σ(x))). */
    public static void silu(float[] x, int off, int len, float[] dY, float[] dX) {
        VectorKernels.inChunks(off, len,
                (from, to) -> VectorMath.timesSigmoidGradient(x, from, to - from, 1f, dY, dX));
    }

    /** CLIP's quick GELU x·σ(1.702x) over [off, off+len): dX += dY·(σ(ax) + ax·σ(ax)·(1 − σ(ax))). */
    public static void quickGelu(float[] x, int off, int len, float[] dY, float[] dX) {
        VectorKernels.inChunks(off, len,
                (from, to) -> VectorMath.timesSigmoidGradient(x, from, to - from, QUICK_GELU_ALPHA, dY, dX));
    }

    /**
     * GEGLU, z [rows, 2·inner] = [value | gate], h [rows, inner] = value ⊙ GELU(gate), rows in parallel:
     * dValue += dH·GELU(gate), dGate += dH·value·GELU'(gate), both written into dZ's halves.
     */
    public static void geglu(float[] z, int rows, int inner, float[] dH, float[] dZ) {
        Parallel.forRange(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                int value = r * 2 * inner;
                VectorMath.gegluGradient(z, value, value + inner, inner, dH, r * inner, dZ);
            }
        });
    }
}
