package org.amused4j.uvit;

import org.amused4j.tensor.Tensor;

import java.util.ArrayList;
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
    /** {@link #inGroups}' last answer: the sampling loop asks for the same split at every step. */
    private volatile List<Conditioning> groups = List.of();

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

    /** The conditioning of images [from, to) alone. */
    Conditioning images(int from, int to) {
        return new Conditioning(encoderStates.images(from, to), cond.images(from, to), downBlock.images(from, to),
                layers.stream().map(l -> l.images(from, to)).toList(), upBlock.images(from, to));
    }

    /** The batch cut into {@code count} equal runs of images, in order; the batch must divide evenly. */
    List<Conditioning> inGroups(int count) {
        List<Conditioning> known = groups;
        if (known.size() == count) {
            return known;
        }
        int per = batch() / count;
        if (per * count != batch()) {
            throw new IllegalArgumentException(batch() + " images do not split into " + count + " equal groups");
        }
        List<Conditioning> split = new ArrayList<>();
        for (int g = 0; g < count; g++) {
            split.add(images(g * per, (g + 1) * per));
        }
        groups = List.copyOf(split);
        return groups;
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
