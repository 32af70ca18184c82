package org.amused4j.uvit;

import org.amused4j.nn.Tape;
import org.amused4j.kernels.grad.BackwardKernels;
import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.nn.Linear;
import org.amused4j.nn.Module;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/**
 * diffusers {@code FeedForward} with GEGLU: z = net.0.proj(x) [.., 2I]; h = z[.., :I] ⊙ GELU(z[.., I:])
 * (the second half is the gate); out = net.2(h). {@code net.1} is a dropout without parameters.
 */
final class GegluFeedForward implements Module {
    private final int inner;
    private final Linear proj;
    private final Linear out;

    GegluFeedForward(Weights w, int dim, int inner, boolean bias) {
        this.inner = inner;
        this.proj = new Linear(w.prefixed("net.0.proj"), dim, 2 * inner, bias);
        this.out = new Linear(w.prefixed("net.2"), inner, dim, bias);
    }

    Tensor forward(Tensor x, Tape tape) {
        if (!tape.isRecording() && proj.bias() == null) {
            // Inference: projection and gating in one kernel, without the [.., 2I] product (the backward needs it).
            int[] shape = x.shape();
            shape[shape.length - 1] = inner;
            Tensor h = tape.output(shape);
            int dim = proj.inFeatures();
            Kernels.get().gegluLinear(x.size() / dim, inner, dim, x.data(), dim, proj.storedWeight(), h.data());
            Tensor y = out.forward(h, tape);
            tape.recycle(h);
            return y;
        }
        Tensor z = proj.forward(x, tape);
        int rows = z.size() / (2 * inner);
        int[] shape = z.shape();
        shape[shape.length - 1] = inner;
        Tensor h = Tensor.zeros(shape);
        float[] zd = z.data();
        Kernels.get().geglu(zd, rows, inner, h.data());
        tape.onBackward(h, dH -> BackwardKernels.geglu(zd, rows, inner, dH, tape.gradientBuffer(z)));
        return out.forward(h, tape);
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        proj.parameters(prefix + "net.0.proj.", sink);
        out.parameters(prefix + "net.2.", sink);
    }
}
