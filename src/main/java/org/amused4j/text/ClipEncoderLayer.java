package org.amused4j.text;

import org.amused4j.io.Weights;

/** One pre-LN CLIP block: h += attn(layer_norm1(h)); h += mlp(layer_norm2(h)). */
final class ClipEncoderLayer {
    private final LayerNorm norm1;
    private final ClipAttention attention;
    private final LayerNorm norm2;
    private final ClipMlp mlp;
    private final int width;

    ClipEncoderLayer(ClipTextConfig config, Weights w) {
        this.width = config.hiddenSize();
        this.norm1 = new LayerNorm(w.prefixed("layer_norm1"), width, config.layerNormEps());
        this.attention = new ClipAttention(config, w.prefixed("self_attn"));
        this.norm2 = new LayerNorm(w.prefixed("layer_norm2"), width, config.layerNormEps());
        this.mlp = new ClipMlp(config, w.prefixed("mlp"));
    }

    /** Updates the hidden states h [batch*seq, width] in place. */
    void forward(float[] h, int batch, int seq) {
        int rows = batch * seq;
        float[] normed = new float[rows * width];
        norm1.forward(h, normed, rows);
        attention.addForward(normed, batch, seq, h);
        norm2.forward(h, normed, rows);
        mlp.addForward(normed, rows, h);
    }
}
