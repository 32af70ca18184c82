package org.amused4j.text;

import org.amused4j.io.Weights;
import org.amused4j.nn.Linear;
import org.amused4j.nn.Module;
import org.amused4j.nn.Tape;
import org.amused4j.nn.TensorOps;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/** fc1 → activation (quick_gelu or exact gelu, from the config) → fc2, both linears with bias. */
final class ClipMlp implements Module {
    private final Linear fc1;
    private final Linear fc2;
    private final boolean quickGelu;

    ClipMlp(ClipTextConfig config, Weights w) {
        this.fc1 = new Linear(w.prefixed("fc1"), config.hiddenSize(), config.intermediateSize(), true);
        this.fc2 = new Linear(w.prefixed("fc2"), config.intermediateSize(), config.hiddenSize(), true);
        this.quickGelu = config.hiddenAct().equals("quick_gelu");
    }

    /** residual + mlp(x), both [batch, seq, width], as a new tensor; recorded on {@code tape}. */
    Tensor forwardOnto(Tensor x, Tensor residual, Tape tape) {
        Tensor hidden = fc1.forwardBiasFirst(x, tape);
        Tensor activated = quickGelu ? TensorOps.quickGeluInPlace(hidden, tape) : TensorOps.geluInPlace(hidden, tape);
        return fc2.forwardOnto(activated, residual, tape);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        fc1.parameters(prefix + "fc1.", sink);
        fc2.parameters(prefix + "fc2.", sink);
    }
}
