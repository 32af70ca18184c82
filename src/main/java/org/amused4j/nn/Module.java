package org.amused4j.nn;

import org.amused4j.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A layer or model with named parameters, like torch's {@code named_parameters()}: the names are the ones of the
 * diffusers/HF weight files, so optimizers, EMA and LoRA can find a parameter by name and update the live tensor.
 */
public interface Module {

    /**
     * Hands every parameter to {@code sink} as (full name, live tensor), in construction order.
     *
     * @param prefix put before every local name: {@code ""} at the root, else a path ending in {@code '.'}
     *               (a composite passes {@code prefix + "child."} to each child)
     */
    void parameters(String prefix, BiConsumer<String, Tensor> sink);

    /** Every parameter by its full name, in construction order. */
    default Map<String, Tensor> namedParameters() {
        Map<String, Tensor> all = new LinkedHashMap<>();
        parameters("", all::put);
        return all;
    }
}
