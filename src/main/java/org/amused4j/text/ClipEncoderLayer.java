package org.amused4j.text;

import org.amused4j.io.Weights;
import org.amused4j.nn.LayerNorm;
import org.amused4j.nn.Module;
import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/** One pre-LN CLIP block: h += attn(layer_norm1(h)); h += mlp(layer_norm2(h)). */
final class ClipEncoderLayer implements Module {
    private final LayerNorm norm1;
    private final ClipAttention attention;
    private final LayerNorm norm2;
    private final ClipMlp mlp;

    ClipEncoderLayer(ClipTextConfig config, Weights w) {
        int width = config.hiddenSize();
        this.norm1 = new LayerNorm(w.prefixed("layer_norm1"), width, config.layerNormEps(), true, true);
        this.attention = new ClipAttention(config, w.prefixed("self_attn"));
        this.norm2 = new LayerNorm(w.prefixed("layer_norm2"), width, config.layerNormEps(), true, true);
        this.mlp = new ClipMlp(config, w.prefixed("mlp"));
    }

    /** The next hidden states [batch, seq, width] as a new tensor; recorded on {@code tape}. */
    Tensor forward(Tensor h, Tape tape) {
        Tensor afterAttention = attention.forwardOnto(norm1.forward(h, tape), h, tape);
        return mlp.forwardOnto(norm2.forward(afterAttention, tape), afterAttention, tape);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        norm1.parameters(prefix + "layer_norm1.", sink);
        attention.parameters(prefix + "self_attn.", sink);
        norm2.parameters(prefix + "layer_norm2.", sink);
        mlp.parameters(prefix + "mlp.", sink);
    }
}
