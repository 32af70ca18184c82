package org.amused4j.uvit;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.tensor.Tensor;

/**
 * {@code nn.Conv2d} (cross-correlation) on NCHW maps, weight [out, in/groups, k, k], with the zero padding
 * given per side so that {@code F.pad}-then-conv (the 2×2 downsample) is one call.
 */
final class Conv2d {
    private final int in;
    private final int out;
    private final int kernel;
    private final int stride;
    private final int padTop;
    private final int padBottom;
    private final int padLeft;
    private final int padRight;
    private final int groups;
    private final Tensor weight;
    private final Tensor bias;

    private Conv2d(Weights w, int in, int out, int kernel, int stride, int[] pad, int groups, boolean bias) {
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padTop = pad[0];
        this.padBottom = pad[1];
        this.padLeft = pad[2];
        this.padRight = pad[3];
        this.groups = groups;
        this.weight = w.get("weight", out, in / groups, kernel, kernel);
        this.bias = bias ? w.get("bias", out) : null;
    }

    /** A 1×1 convolution (a per-pixel linear map of the channels). */
    static Conv2d pointwise(Weights w, int in, int out, boolean bias) {
        return new Conv2d(w, in, out, 1, 1, new int[] {0, 0, 0, 0}, 1, bias);
    }

    /** A 3×3 depthwise convolution with zero padding 1 (groups = channels). */
    static Conv2d depthwise3x3(Weights w, int channels, boolean bias) {
        return new Conv2d(w, channels, channels, 3, 1, new int[] {1, 1, 1, 1}, channels, bias);
    }

    /** A 2×2 stride-2 convolution after zero-padding one row at the bottom and one column on the right. */
    static Conv2d down2x2(Weights w, int in, int out, boolean bias) {
        return new Conv2d(w, in, out, 2, 2, new int[] {0, 1, 0, 1}, 1, bias);
    }

    Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != in) {
            throw new IllegalArgumentException("conv expects [B, " + in + ", H, W], got " + x);
        }
        int n = x.dim(0), h = x.dim(2), w = x.dim(3);
        int oh = (h + padTop + padBottom - kernel) / stride + 1;
        int ow = (w + padLeft + padRight - kernel) / stride + 1;
        Tensor y = Tensor.zeros(n, out, oh, ow);
        Kernels.get().conv2d(x.data(), n, in, h, w, weight.data(), out, kernel, kernel,
                bias == null ? null : bias.data(), stride, padTop, padBottom, padLeft, padRight, groups, y.data());
        return y;
    }
}
