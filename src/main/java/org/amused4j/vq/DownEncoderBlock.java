package org.amused4j.vq;

import org.amused4j.io.Weights;
import org.amused4j.tensor.Tensor;

/** diffusers' {@code DownEncoderBlock2D}: resnets, then (except in the last block) the stride-2 downsampler. */
final class DownEncoderBlock {
    private final ResnetStack resnets;
    private final Conv2d downsampler;

    DownEncoderBlock(Weights w, int layers, int in, int out, int groups, boolean downsample) {
        this.resnets = new ResnetStack(w, layers, in, out, groups);
        this.downsampler = downsample ? Conv2d.halving(w.prefixed("downsamplers.0.conv"), out) : null;
    }

    Tensor forward(Tensor x) {
        Tensor h = resnets.forward(x);
        return downsampler != null ? downsampler.forward(h) : h;
    }
}
