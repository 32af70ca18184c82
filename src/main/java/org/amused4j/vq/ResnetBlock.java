package org.amused4j.vq;

import org.amused4j.io.Weights;
import org.amused4j.nn.Conv2d;
import org.amused4j.nn.GroupNorm;
import org.amused4j.nn.Module;
import org.amused4j.nn.Tape;
import org.amused4j.nn.TensorOps;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/**
 * diffusers' {@code ResnetBlock2D} as the VQ uses it (no time embedding, dropout 0, output scale 1), spec 06 §2:
 * {@code conv2(SiLU(norm2(conv1(SiLU(norm1(x)))))) + shortcut(x)}, the shortcut a 1×1 conv when the channel
 * count changes and the identity otherwise.
 */
public final class ResnetBlock implements Module {
    /** The eps of every GroupNorm of the VQ (diffusers' VQModel default). */
    static final double NORM_EPS = 1e-6;

    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d convShortcut;

    public ResnetBlock(Weights w, int in, int out, int groups) {
        this.norm1 = new GroupNorm(w.prefixed("norm1"), in, groups, NORM_EPS);
        this.conv1 = Conv2d.sizePreserving(w.prefixed("conv1"), in, out, 3, true);
        this.norm2 = new GroupNorm(w.prefixed("norm2"), out, groups, NORM_EPS);
        this.conv2 = Conv2d.sizePreserving(w.prefixed("conv2"), out, out, 3, true);
        this.convShortcut = in != out ? Conv2d.pointwise(w.prefixed("conv_shortcut"), in, out, true) : null;
    }

    public Tensor forward(Tensor x) {
        return forward(x, Tape.NONE);
    }

    /**
     * The forward, with its backward registered on {@code tape} (nothing recorded with {@link Tape#NONE}); the
     * intermediates go back to the tape.
     */
    public Tensor forward(Tensor x, Tape tape) {
        Tensor activated = norm1.forwardSilu(x, tape);
        Tensor h = conv1.forward(activated, tape);
        tape.recycle(activated);
        // In place (h itself) unless the tape records, and a recording tape recycles nothing.
        activated = norm2.forwardSiluInPlace(h, tape);
        Tensor branch = conv2.forward(activated, tape);
        tape.recycle(activated);
        if (convShortcut == null) {
            return TensorOps.residual(x, branch, tape);
        }
        Tensor shortcut = convShortcut.forward(x, tape);
        Tensor y = TensorOps.residual(shortcut, branch, tape);
        tape.recycle(shortcut);
        return y;
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        norm1.parameters(prefix + "norm1.", sink);
        conv1.parameters(prefix + "conv1.", sink);
        norm2.parameters(prefix + "norm2.", sink);
        conv2.parameters(prefix + "conv2.", sink);
        if (convShortcut != null) {
            convShortcut.parameters(prefix + "conv_shortcut.", sink);
        }
    }
}
