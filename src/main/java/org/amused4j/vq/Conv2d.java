package org.amused4j.vq;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.tensor.Tensor;

/** A square-kernel 2-D convolution with bias ({@code torch.nn.Conv2d}), weights {@code weight} [out, in, k, k]. */
final class Conv2d {
    private final Tensor weight;
    private final Tensor bias;
    private final int in;
    private final int out;
    private final int kernel;
    private final int stride;
    private final int padTopLeft;
    private final int padBottomRight;

    private Conv2d(Weights w, int in, int out, int kernel, int stride, int padTopLeft, int padBottomRight) {
        this.weight = w.get("weight", out, in, kernel, kernel);
        this.bias = w.get("bias", out);
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padTopLeft = padTopLeft;
        this.padBottomRight = padBottomRight;
    }

    /** Stride 1 with padding k/2 on every side: keeps the spatial size (3×3 and 1×1 convs of the VQ). */
    static Conv2d sizePreserving(Weights w, int in, int out, int kernel) {
        return new Conv2d(w, in, out, kernel, 1, kernel / 2, kernel / 2);
    }

    /**
     * The encoder's downsampler: 3×3 stride 2 after zero-padding only the right and bottom edge by one pixel
     * (diffusers' {@code Downsample2D} with padding 0), halving even sizes.
     */
    static Conv2d halving(Weights w, int channels) {
        return new Conv2d(w, channels, channels, 3, 2, 0, 1);
    }

    Tensor forward(Tensor x) {
        int n = x.dim(0);
        int h = x.dim(2);
        int w = x.dim(3);
        if (x.dim(1) != in) {
            throw new IllegalArgumentException("conv expects " + in + " input channels, got " + x);
        }
        int span = padTopLeft + padBottomRight - kernel;
        Tensor y = Tensor.zeros(n, out, (h + span) / stride + 1, (w + span) / stride + 1);
        Kernels.get().conv2d(x.data(), n, in, h, w, weight.data(), out, kernel, kernel, bias.data(), stride,
                padTopLeft, padBottomRight, padTopLeft, padBottomRight, 1, y.data());
        return y;
    }
}
