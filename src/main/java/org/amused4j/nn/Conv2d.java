package org.amused4j.nn;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.kernels.grad.BackwardKernels;
import org.amused4j.tensor.HalfWeight;
import org.amused4j.tensor.Tensor;
import org.amused4j.tensor.Weight;

import java.util.function.BiConsumer;

/**
 * {@code nn.Conv2d} (cross-correlation) on NCHW maps with a square kernel, weight [out, in/groups, k, k] and an
 * optional bias [out]. The zero padding is given per side, so that {@code F.pad}-then-conv (the asymmetric
 * downsamplers) is one kernel call. The weight may stay in half precision (see {@link Weights#matrix}): each
 * forward then widens a float32 copy of this one layer's kernel for the kernel call and drops it, so a model
 * whose convolutions run once per request (the VQ) holds its mapped half-precision file rather than float32
 * weights, and the parts a request never runs (the VQ encoder in text-to-image) are never read.
 */
public final class Conv2d implements Layer {
    private final int in;
    private final int out;
    private final int kernel;
    private final int stride;
    private final Padding pad;
    private final int groups;
    private final LayerWeight weight;
    private final Tensor bias;

    /** Zero padding per side, in pixels. */
    public record Padding(int top, int bottom, int left, int right) {
        /** The same padding on all four sides. */
        public static Padding uniform(int p) {
            return new Padding(p, p, p, p);
        }

        /** Only the bottom row and the right column, as {@code F.pad(x, (0, p, 0, p))} before a convolution. */
        public static Padding bottomRight(int p) {
            return new Padding(0, p, 0, p);
        }
    }

    public Conv2d(Weights w, int in, int out, int kernel, int stride, Padding pad, int groups, boolean bias) {
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
        this.groups = groups;
        this.weight = new LayerWeight(w.matrix("weight", out, in / groups, kernel, kernel));
        this.bias = bias ? w.get("bias", out) : null;
    }

    /** Stride 1 with padding k/2 on every side: an odd kernel keeps the spatial size. */
    public static Conv2d sizePreserving(Weights w, int in, int out, int kernel, boolean bias) {
        return new Conv2d(w, in, out, kernel, 1, Padding.uniform(kernel / 2), 1, bias);
    }

    /** A 1×1 convolution: a per-pixel linear map of the channels. */
    public static Conv2d pointwise(Weights w, int in, int out, boolean bias) {
        return sizePreserving(w, in, out, 1, bias);
    }

    /**
     * The live float32 weight [out, in/groups, k, k]. A half-precision weight is widened on the first call and the
     * layer computes with that tensor from then on, so in-place updates (training) take effect.
     */
    public Tensor weight() {
        return weight.float32();
    }

    /** The bias [out], or null. */
    public Tensor bias() {
        return bias;
    }

    /** x [B, in, H, W] to [B, out, (H + top + bottom - k) / stride + 1, (W + left + right - k) / stride + 1]. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, Tape.NONE);
    }

    /** {@link #forward(Tensor)} into storage from {@code tape}, recorded on it. */
    @Override
    public Tensor forward(Tensor x, Tape tape) {
        if (x.rank() != 4 || x.dim(1) != in) {
            throw new IllegalArgumentException("conv expects [B, " + in + ", H, W], got " + x);
        }
        int n = x.dim(0), h = x.dim(2), w = x.dim(3);
        int oh = (h + pad.top() + pad.bottom() - kernel) / stride + 1;
        int ow = (w + pad.left() + pad.right() - kernel) / stride + 1;
        Tensor y = tape.output(n, out, oh, ow);
        Weight stored = weight.current();
        boolean half = stored instanceof HalfWeight;
        Tensor values = half ? widened(stored, tape) : stored.toFloat32();
        Kernels.get().conv2d(x.data(), n, in, h, w, values.data(), out, kernel, kernel,
                OptionalParameters.data(bias), stride, pad.top(), pad.bottom(), pad.left(), pad.right(), groups,
                y.data());
        if (half) {
            tape.recycle(values); // this call's widened copy
        }
        tape.onBackward(y, dY -> {
            // A weight still in half precision was never handed out as a parameter (parameters() widens it), so
            // it is frozen: its widened copy has no gradient buffer and only dX (and db) are computed.
            Tensor current = kernelValues();
            BackwardKernels.conv2d(x.data(), x.dim(0), in, x.dim(2), x.dim(3), current.data(), out, kernel, kernel,
                    stride, pad.top(), pad.bottom(), pad.left(), pad.right(), groups, dY, tape.gradientBuffer(x),
                    tape.parameterGradient(current), tape.parameterGradient(bias));
        });
        return y;
    }

    /** A half-precision kernel widened for one call, into storage from {@code tape}. */
    private static Tensor widened(Weight stored, Tape tape) {
        Tensor values = tape.output(stored.shape());
        stored.read(0, values.data(), 0, values.size());
        return values;
    }

    /** The weight as float32 for one kernel call: the live tensor, or a widened copy of a half-precision one. */
    private Tensor kernelValues() {
        return weight.current().toFloat32();
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        sink.accept(prefix + "weight", weight());
        OptionalParameters.offer(prefix + "bias", bias, sink);
    }
}
