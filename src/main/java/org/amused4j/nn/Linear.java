package org.amused4j.nn;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.kernels.grad.BackwardKernels;
import org.amused4j.tensor.FloatWeight;
import org.amused4j.tensor.Tensor;
import org.amused4j.tensor.Weight;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * {@code nn.Linear(in, out)} over the last axis: y = x·Wᵀ + b, W stored [out, in] as in PyTorch; b optional.
 * W may stay in half precision (see {@link Weights#matrix}) until {@link #weight} asks for it as a tensor.
 */
public final class Linear implements Layer {
    private final int in;
    private final int out;
    private final LayerWeight weight;
    private final Tensor bias;

    public Linear(Weights w, int in, int out, boolean bias) {
        this.in = in;
        this.out = out;
        this.weight = new LayerWeight(w.matrix("weight", out, in));
        this.bias = bias ? w.get("bias", out) : null;
    }

    /**
     * The live float32 weight [out, in]. A half-precision weight is widened on the first call and the layer
     * computes with that tensor from then on, so in-place updates (training) take effect.
     */
    public Tensor weight() {
        return weight.float32();
    }

    /** The weight [out, in] as it is stored now (half precision stays half), for kernels that read it directly. */
    public Weight storedWeight() {
        return weight.current();
    }

    /** The bias [out], or null. */
    public Tensor bias() {
        return bias;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    /** x [..., in] to x·Wᵀ + b [..., out]: the GEMM writes the product, then the bias is added. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, Tape.NONE);
    }

    /**
     * {@link #forward(Tensor)} into storage from {@code tape}; the backward adds dX = dY·W, dW = dYᵀ·X and
     * db = Σ dY.
     */
    @Override
    public Tensor forward(Tensor x, Tape tape) {
        Tensor y = tape.output(outputShape(x));
        Kernels.get().linear(rows(x), out, in, x.data(), 0, in, weight.current(), 0f, y.data(), 0, out);
        addBias(y);
        tape.onBackward(y, dY -> addOwnGradients(x, dY, tape));
        return y;
    }

    /**
     * x through several layers of its width at once ({@link Kernels#linears}): one packing of x serves every
     * product, the outputs bit for bit those of {@link #forward(Tensor, Tape)} each (self-attention's Q, K and V).
     * A recording tape (training) runs the layers one at a time.
     */
    public static List<Tensor> forwardEach(Tensor x, Tape tape, Linear... layers) {
        if (tape.isRecording()) {
            return Arrays.stream(layers).map(layer -> layer.forward(x, tape)).toList();
        }
        Tensor[] ys = new Tensor[layers.length];
        Weight[] ws = new Weight[layers.length];
        float[][] outs = new float[layers.length][];
        int in = layers[0].in;
        for (int i = 0; i < layers.length; i++) {
            if (layers[i].in != in) {
                throw new IllegalArgumentException("layers of input width " + in + " and " + layers[i].in);
            }
            ys[i] = tape.output(layers[i].outputShape(x));
            ws[i] = layers[i].weight.current();
            outs[i] = ys[i].data();
        }
        Kernels.get().linears(layers[0].rows(x), in, x.data(), in, ws, outs);
        for (int i = 0; i < layers.length; i++) {
            layers[i].addBias(ys[i]);
        }
        return List.of(ys);
    }

    /**
     * base + b + x·Wᵀ [..., out] as a new tensor: the bias is added to a copy of {@code base} first and the GEMM
     * then accumulates onto it (beta 1), which is how residual connections are summed without an extra pass.
     * For a reduction longer than one GEMM block this rounds slightly differently from {@code base + forward(x)}.
     */
    public Tensor forwardOnto(Tensor x, Tensor base) {
        int[] shape = outputShape(x);
        if (!base.hasShape(shape)) {
            throw new IllegalArgumentException("linear output " + java.util.Arrays.toString(shape)
                    + " cannot be added onto " + base);
        }
        Tensor y = base.copy();
        addBias(y);
        Kernels.get().linear(rows(x), out, in, x.data(), 0, in, weight.current(), 1f, y.data(), 0, out);
        return y;
    }

    /**
     * {@code forwardOnto(x, zeros)}: x·Wᵀ + b summed with the GEMM accumulating onto the bias, the order the CLIP
     * text encoder has always used (its outputs stay bit-identical); {@link #forward} adds the bias last.
     */
    public Tensor forwardBiasFirst(Tensor x) {
        return forwardOnto(x, Tensor.zeros(outputShape(x)));
    }

    /**
     * {@link #forwardOnto(Tensor, Tensor)} recorded on {@code tape} (bit-identical to it): the backward adds dY to
     * the gradient of {@code base} and the linear's own gradients as {@link #forward(Tensor, Tape)} does.
     */
    public Tensor forwardOnto(Tensor x, Tensor base, Tape tape) {
        Tensor y = forwardOnto(x, base);
        tape.onBackward(y, dY -> {
            float[] dBase = tape.gradientBuffer(base);
            for (int i = 0; i < dBase.length; i++) {
                dBase[i] += dY[i];
            }
            addOwnGradients(x, dY, tape);
        });
        return y;
    }

    /** {@link #forwardBiasFirst(Tensor)} recorded on {@code tape} (bit-identical to it). */
    public Tensor forwardBiasFirst(Tensor x, Tape tape) {
        Tensor y = forwardBiasFirst(x);
        tape.onBackward(y, dY -> addOwnGradients(x, dY, tape));
        return y;
    }

    /**
     * dX = dY·W, dW = dYᵀ·X, db = Σ dY, added into the tape's buffers. A weight still in half precision was never
     * handed out as a parameter ({@link #parameters} widens it), so it is frozen: dX is computed from the stored
     * values, which the GEMM widens while it reads them, and the layer keeps no float32 copy.
     */
    private void addOwnGradients(Tensor x, float[] dY, Tape tape) {
        float[] dBias = tape.parameterGradient(bias);
        if (weight.current() instanceof FloatWeight(Tensor w)) {
            BackwardKernels.linear(x.data(), w.data(), rows(x), in, out, dY, tape.gradientBuffer(x),
                    tape.parameterGradient(w), dBias);
            return;
        }
        Kernels.get().multiplyByWeight(rows(x), in, out, dY, 0, out, weight.current(), 1f, tape.gradientBuffer(x),
                0, in);
        if (dBias != null) {
            BackwardKernels.linear(x.data(), null, rows(x), in, out, dY, null, null, dBias);
        }
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        sink.accept(prefix + "weight", weight());
        OptionalParameters.offer(prefix + "bias", bias, sink);
    }

    private int[] outputShape(Tensor x) {
        if (x.dim(-1) != in) {
            throw new IllegalArgumentException("linear expects " + in + " input features, got " + x);
        }
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        return shape;
    }

    private int rows(Tensor x) {
        return x.size() / in;
    }

    private void addBias(Tensor y) {
        if (bias == null) {
            return;
        }
        float[] yd = y.data();
        float[] bd = bias.data();
        for (int r = 0, rows = y.size() / out; r < rows; r++) {
            int base = r * out;
            for (int j = 0; j < out; j++) {
                yd[base + j] += bd[j];
            }
        }
    }
}
