package org.amused4j.nn;

import org.amused4j.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

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
 *
 * <p>Gradient checkpointing: a model marks the parts it allows to be recomputed with {@link #segment}; with
 * {@link Options#checkpointSegments} such a part keeps no activations in the forward and runs again, recorded on
 * a tape of its own, when the backward reaches it (the same numbers, in less memory, for one more forward).
 */
public final class Tape {
    /** Inference: nothing is recorded. */
    public static final Tape NONE = new Tape(Map.of(), new Options(false, false), false);

    /**
     * @param keepNamedGradients whether the gradients of the activations named with {@link #retain} are kept
     *                           (for inspection; costs their memory until the tape is dropped)
     * @param checkpointSegments whether {@link #segment}s are recomputed in the backward instead of recorded
     */
    public record Options(boolean keepNamedGradients, boolean checkpointSegments) {
    }

    private final Map<float[], float[]> parameterGradients;
    private final Options options;
    private final List<Runnable> steps = new ArrayList<>();
    private final Map<float[], float[]> gradients = new IdentityHashMap<>();
    private final Set<float[]> retained = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<String, Tensor> named = new LinkedHashMap<>();
    private final boolean recording;
    /** Recycled storage by length, last in first out (the most recently used array is the likeliest in cache). */
    private final Map<Integer, ArrayDeque<float[]>> free;

    private Tape(Map<float[], float[]> parameterGradients, Options options, boolean recording) {
        this(parameterGradients, options, recording, null);
    }

    private Tape(Map<float[], float[]> parameterGradients, Options options, boolean recording,
                 Map<Integer, ArrayDeque<float[]>> free) {
        this.parameterGradients = parameterGradients;
        this.options = options;
        this.recording = recording;
        this.free = free;
    }

    /**
     * A recording tape.
     *
     * @param parameterGradients parameter storage → its gradient buffer (an identity map: the keys are the
     *                           parameters' {@code data()} arrays)
     */
    public static Tape recording(IdentityHashMap<float[], float[]> parameterGradients, Options options) {
        return new Tape(parameterGradients, options, true);
    }

    /**
     * An inference tape for one forward pass that reuses the storage handed back with {@link #recycle}. Not for
     * sharing: one pass, one thread (the kernels' worker threads never allocate through it).
     */
    public static Tape recycling() {
        return recycling(new HashMap<>());
    }

    /** {@link #recycling()} lending from, and handing back into, {@code free} (see {@link Activations}). */
    static Tape recycling(Map<Integer, ArrayDeque<float[]>> free) {
        return new Tape(Map.of(), new Options(false, false), false, free);
    }

    public boolean isRecording() {
        return recording;
    }

    /**
     * Storage for an op's output of the given shape, which the op must write in full: recycled storage of the
     * same size (holding stale values) when this tape has some, otherwise zeros.
     */
    public Tensor output(int... shape) {
        ArrayDeque<float[]> arrays = free == null ? null : free.get((int) Tensor.numel(shape));
        return arrays == null || arrays.isEmpty() ? Tensor.zeros(shape) : Tensor.of(arrays.pop(), shape);
    }

    /**
     * Declares {@code dead} (and every view of its storage) unused from now on, so that a later {@link #output} of a
     * recycling tape may overwrite it. Does nothing on other tapes: a recording tape's backward still needs it.
     */
    public void recycle(Tensor dead) {
        if (free != null) {
            ArrayDeque<float[]> arrays = free.computeIfAbsent(dead.size(), n -> new ArrayDeque<>());
            if (arrays.contains(dead.data())) {
                throw new IllegalStateException("storage of " + dead + " recycled twice");
            }
            arrays.push(dead.data());
        }
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

    /**
     * Runs {@code part} (a function of tensors it captures, recording on the tape it is given) as a unit that may
     * be recomputed: on this tape, or, with {@link Options#checkpointSegments}, unrecorded now and recorded on a
     * fresh tape during the backward, whose gradients for the captured tensors are then added into this tape's.
     */
    public Tensor segment(Function<Tape, Tensor> part) {
        if (!isRecording() || !options.checkpointSegments()) {
            return part.apply(this);
        }
        Tensor output = part.apply(NONE);
        onBackward(output, dOutput -> {
            Tape inner = new Tape(parameterGradients, new Options(false, false), true);
            Tensor again = part.apply(inner);
            inner.backward(again, Tensor.of(dOutput, again.shape()));
            // What is left on the inner tape are the gradients of tensors produced outside the part.
            inner.gradients.forEach((key, d) -> {
                float[] outer = gradients.computeIfAbsent(key, k -> new float[k.length]);
                for (int i = 0; i < d.length; i++) {
                    outer[i] += d[i];
                }
            });
        });
        return output;
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
        if (isRecording() && options.keepNamedGradients()) {
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
