package org.amused4j.vq;

import org.amused4j.io.Weights;
import org.amused4j.tensor.Tensor;

/**
 * diffusers' {@code ResnetBlock2D} as the VQ uses it (no time embedding, dropout 0, output scale 1), spec 06 §2:
 * {@code conv2(SiLU(norm2(conv1(SiLU(norm1(x)))))) + shortcut(x)}, the shortcut a 1×1 conv when the channel
 * count changes and the identity otherwise.
 */
public final class ResnetBlock {
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d convShortcut;

    public ResnetBlock(Weights w, int in, int out, int groups) {
        this.norm1 = new GroupNorm(w.prefixed("norm1"), in, groups);
        this.conv1 = Conv2d.sizePreserving(w.prefixed("conv1"), in, out, 3);
        this.norm2 = new GroupNorm(w.prefixed("norm2"), out, groups);
        this.conv2 = Conv2d.sizePreserving(w.prefixed("conv2"), out, out, 3);
        this.convShortcut = in != out ? Conv2d.sizePreserving(w.prefixed("conv_shortcut"), in, out, 1) : null;
    }

    public Tensor forward(Tensor x) {
        Tensor h = conv1.forward(norm1.forwardSilu(x));
        h = conv2.forward(norm2.forwardSilu(h));
        Tensor shortcut = convShortcut != null ? convShortcut.forward(x) : x;
        float[] hd = h.data();
        float[] sd = shortcut.data();
        for (int i = 0; i < hd.length; i++) {
            hd[i] = sd[i] + hd[i];
        }
        return h;
    }
}
