package org.amused4j.vq;

import org.amused4j.io.Weights;
import org.amused4j.nn.Conv2d;
import org.amused4j.nn.Module;
import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/** diffusers' {@code DownEncoderBlock2D}: resnets, then (except in the last block) the stride-2 downsampler. */
final class DownEncoderBlock implements Module {
    private final ResnetStack resnets;
    private final Conv2d downsampler;

    DownEncoderBlock(Weights w, int layers, int in, int out, int groups, boolean downsample) {
        this.resnets = new ResnetStack(w, layers, in, out, groups);
        // diffusers' Downsample2D with padding 0: zero-pad only the right and bottom edge, then 3×3 stride 2.
        this.downsampler = downsample ? new Conv2d(w.prefixed("downsamplers.0.conv"), out, out, 3, 2,
                Conv2d.Padding.bottomRight(1), 1, true) : null;
    }

    Tensor forward(Tensor x, Tape tape) {
        Tensor h = resnets.forward(x, tape);
        return downsampler != null ? downsampler.forward(h, tape) : h;
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        resnets.parameters(prefix, sink);
        if (downsampler != null) {
            downsampler.parameters(prefix + "downsamplers.0.conv.", sink);
        }
    }
}
