package org.amused4j.text;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;

/** fc1 → activation (quick_gelu or exact gelu, from the config) → fc2, both linears with bias. */
final class ClipMlp {
    private final Linear fc1;
    private final Linear fc2;
    private final int intermediate;
    private final boolean quickGelu;

    ClipMlp(ClipTextConfig config, Weights w) {
        this.intermediate = config.intermediateSize();
        this.fc1 = new Linear(w.prefixed("fc1"), config.hiddenSize(), intermediate, true);
        this.fc2 = new Linear(w.prefixed("fc2"), intermediate, config.hiddenSize(), true);
        this.quickGelu = config.hiddenAct().equals("quick_gelu");
    }

    /** residual[rows, width] += mlp(x). */
    void addForward(float[] x, int rows, float[] residual) {
        float[] hidden = new float[rows * intermediate];
        fc1.forward(x, rows, hidden);
        if (quickGelu) {
            Kernels.get().quickGelu(hidden, 0, hidden.length);
        } else {
            Kernels.get().gelu(hidden, 0, hidden.length);
        }
        fc2.addForward(hidden, rows, residual);
    }
}
