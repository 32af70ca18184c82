package org.amused4j.nn;

import org.amused4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The explicit training context of one forward pass (reverse-mode differentiation, llm.c style): every op
 * that runs with a recording tape registers its backward step, which keeps references to exactly the
 * activations it needs; {@link #backward} runs the steps in reverse order. {@link #NONE} (inference)
 * records nothing, so a forward pays for training only when it is asked to.
 *
 * <p>Gradients of activations are keyed by their storage, so a {@link Tensor#reshape} view shares its
 * source's gradient. A step reads its output's gradient once every consumer of that output has added to it
 * (all consumers ran later in the forward, so earlier in the backward), then adds into the gradients of its
 * inputs ({@code +=}, as {@link org.amused4j.kernels.grad.BackwardKernels} does) and the output's gradient is
 * released. Gradients of tensors no op produced (the model's inputs) stay readable through
 * {@link #gradient(Tensor)}; so do those of tensors given a name with {@link #retain}.
 *
 * <p>Parameter gradients accumulate into the buffers handed to {@link #recording}, keyed by the parameter's
 * storage; a parameter without a buffer (frozen) gets none, and its weight gradient is not computed.
 */
public final class Tape {
    /** Inference: nothing is recorded. */
    public static final Tape NONE = new Tape(Map.of(), false);

    private final Map<float[], float[]> parameterGradients;
    private final boolean keepNamed;
    private final List<Runnable> steps = new ArrayList<>();
    private final Map<float[], float[]> gradients = new IdentityHashMap<>();
    private final Set<float[]> retained = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<String, Tensor> named = new LinkedHashMap<>();

    private Tape(Map<float[], float[]> parameterGradients, boolean keepNamed) {
        this.parameterGradients = parameterGradients;
        this.keepNamed = keepNamed;
    }

    /**
     * A recording tape.
     *
     * @param parameterGradients parameter storage → its gradient buffer (an identity map: the keys are the
     *                           parameters' {@code data()} arrays)
     * @param keepNamed          whether the gradients of the activations named with {@link #retain} are kept
     *                           (for inspection; costs their memory until the tape is dropped)
     */
    public static Tape recording(IdentityHashMap<float[], float[]> parameterGradients, boolean keepNamed) {
        return new Tape(parameterGradients, keepNamed);
    }

    public boolean isRecording() {
        return this != NONE;
    }

    /**
     * Registers the backward of an op that produced {@code output}: {@code step} receives d loss / d output
     * when the backward reaches it, and is skipped when no gradient reached the output.
     */
    public void onBackward(Tensor output, Consumer<float[]> step) {
        if (isRecording()) {
            float[] key = output.data();
            steps.add(() -> {
                float[] d = retained.contains(key) ? gradients.get(key) : gradients.remove(key);
                if (d != null) {
                    step.accept(d);
                }
            });
        }
    }

    /** The gradient buffer of an activation, to add into; created as zeros on first use. */
    public float[] gradientBuffer(Tensor activation) {
        return gradients.computeIfAbsent(activation.data(), k -> new float[k.length]);
    }

    /** The gradient buffer of a parameter, or null when it is not trained (or {@code parameter} is null). */
    public float[] parameterGradient(Tensor parameter) {
        return parameter == null ? null : parameterGradients.get(parameter.data());
    }

    /** Keeps the gradient of {@code activation} under {@code name} (if this tape keeps named gradients). */
    public void retain(String name, Tensor activation) {
        if (isRecording() && keepNamed) {
            named.put(name, activation);
            retained.add(activation.data());
        }
    }

    /** d loss / d a retained or input tensor (its shape), or null if no gradient reached it. */
    public Tensor gradient(Tensor activation) {
        float[] d = gradients.get(activation.data());
        return d == null ? null : Tensor.of(d, activation.shape());
    }

    /** The gradient of the activation retained under {@code name}, or null. */
    public Tensor gradient(String name) {
        Tensor t = named.get(name);
        return t == null ? null : gradient(t);
    }

    /** Runs every recorded step in reverse, starting from d loss / d output = {@code dOutput}; once. */
    public void backward(Tensor output, Tensor dOutput) {
        if (!isRecording()) {
            throw new IllegalStateException("the inference tape records no backward");
        }
        if (dOutput.size() != output.size()) {
            throw new IllegalArgumentException("gradient " + dOutput + " for output " + output);
        }
        float[] d = gradientBuffer(output);
        float[] src = dOutput.data();
        for (int i = 0; i < d.length; i++) {
            d[i] += src[i];
        }
        for (int i = steps.size() - 1; i >= 0; i--) {
            steps.get(i).run();
            steps.set(i, null);
        }
        steps.clear();
    }
}
