package org.amused4j.nn;

import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/** Parameters a layer may lack (a bias-free linear, a norm without affine weights) are held as null. */
final class OptionalParameters {
    private OptionalParameters() {
    }

    /** The values, or null for the kernels' "no parameter". */
    static float[] data(Tensor parameter) {
        return parameter == null ? null : parameter.data();
    }

    /** Hands the parameter to {@code sink} if it exists. */
    static void offer(String name, Tensor parameter, BiConsumer<String, Tensor> sink) {
        if (parameter != null) {
            sink.accept(name, parameter);
        }
    }
}
