package org.amused4j.kernels;

/** Lazily picks the backend once per JVM. */
final class KernelsHolder {
    static final Kernels INSTANCE = choose(System.getProperty("amused.kernels", "default"));

    private KernelsHolder() {
    }

    static Kernels choose(String name) {
        return switch (name) {
            case "reference" -> new ReferenceKernels();
            default -> new VectorKernels();
        };
    }
}
