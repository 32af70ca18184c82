package org.amused4j.uvit;

import org.amused4j.tensor.Tensor;

import java.util.List;

/**
 * Everything the U-ViT derives from the text and micro-conditions alone, computed once per prompt batch by
 * {@link UVit2DModel#condition} and reused by every {@link UVit2DModel#logits} call of the sampling loop:
 * the projected text, the conditioning vector, and per block the adaptive-norm modulations and the text's
 * attention keys/values.
 */
public final class Conditioning {
    private final Tensor encoderStates;
    private final Tensor cond;
    private final UVitBlock.Context downBlock;
    private final List<TransformerLayer.Context> layers;
    private final UVitBlock.Context upBlock;

    Conditioning(Tensor encoderStates, Tensor cond, UVitBlock.Context downBlock,
                 List<TransformerLayer.Context> layers, UVitBlock.Context upBlock) {
        this.encoderStates = encoderStates;
        this.cond = cond;
        this.downBlock = downBlock;
        this.layers = List.copyOf(layers);
        this.upBlock = upBlock;
    }

    /** Number of images this conditioning is for. */
    public int batch() {
        return cond.dim(0);
    }

    /** RMSNorm(encoder_proj(encoder_hidden_states)) [B, Lt, hidden] (diffusers' "encoder_proj_out"). */
    public Tensor encoderStates() {
        return encoderStates.copy();
    }

    /** The conditioning vector c [B, hidden] (diffusers' "cond_embed_out"). */
    public Tensor cond() {
        return cond.copy();
    }

    UVitBlock.Context downBlock() {
        return downBlock;
    }

    List<TransformerLayer.Context> layers() {
        return layers;
    }

    UVitBlock.Context upBlock() {
        return upBlock;
    }
}
