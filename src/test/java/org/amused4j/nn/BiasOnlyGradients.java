package org.amused4j.nn;

import org.amused4j.tensor.Tensor;

import java.util.IdentityHashMap;

/**
 * What a layer with a frozen weight back-propagates: d loss / d x and d loss / d bias (the only trained
 * parameter), for the half-precision-weight tests of {@link Linear} and {@link Conv2d}.
 */
record BiasOnlyGradients(float[] dX, float[] dBias) {
    static BiasOnlyGradients of(Layer layer, Tensor bias, Tensor x, Tensor dY) {
        IdentityHashMap<float[], float[]> trained = new IdentityHashMap<>();
        float[] dBias = new float[bias.size()];
        trained.put(bias.data(), dBias);
        Tape tape = Tape.recording(trained, new Tape.Options(false, false));
        Tensor y = layer.forward(x, tape);
        tape.backward(y, dY);
        return new BiasOnlyGradients(tape.gradient(x).data(), dBias);
    }
}
