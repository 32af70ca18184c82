package org.amused4j.vq;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.nn.Conv2d;
import org.amused4j.kernels.grad.BackwardKernels;
import org.amused4j.nn.Module;
import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/**
 * diffusers' {@code UpDecoderBlock2D}: resnets, then (except in the last block) nearest-neighbour ×2
 * upsampling followed by a 3×3 conv.
 */
final class UpDecoderBlock implements Module {
    private final ResnetStack resnets;
    private final Conv2d upsamplerConv;

    UpDecoderBlock(Weights w, int layers, int in, int out, int groups, boolean upsample) {
        this.resnets = new ResnetStack(w, layers, in, out, groups);
        this.upsamplerConv = upsample
                ? Conv2d.sizePreserving(w.prefixed("upsamplers.0.conv"), out, out, 3, true) : null;
    }

    Tensor forward(Tensor x, Tape tape) {
        Tensor h = resnets.forward(x, tape);
        if (upsamplerConv == null) {
            return h;
        }
        int planes = h.dim(0) * h.dim(1);
        Tensor up = tape.output(h.dim(0), h.dim(1), 2 * h.dim(2), 2 * h.dim(3));
        Kernels.get().upsampleNearest2x(h.data(), planes, h.dim(2), h.dim(3), up.data());
        tape.onBackward(up, dUp -> BackwardKernels.upsampleNearest2x(planes, h.dim(2), h.dim(3), dUp,
                tape.gradientBuffer(h)));
        tape.recycle(h);
        Tensor y = upsamplerConv.forward(up, tape);
        tape.recycle(up);
        return y;
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        resnets.parameters(prefix, sink);
        if (upsamplerConv != null) {
            upsamplerConv.parameters(prefix + "upsamplers.0.conv.", sink);
        }
    }
}
