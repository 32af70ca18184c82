package org.amused4j.kernels;

/**
 * Lazily picks the backend once per JVM, wrapped in a {@link CountingKernels} so benchmarks can count FLOPs
 * (one volatile read per kernel call when not counting).
 */
final class KernelsHolder {
    static final Kernels INSTANCE = new CountingKernels(choose(System.getProperty("amused.kernels", "default")));

    private KernelsHolder() {
    }

    static Kernels choose(String name) {
        return switch (name) {
            case "reference" -> new ReferenceKernels();
            default -> new VectorKernels();
        };
    }
}
