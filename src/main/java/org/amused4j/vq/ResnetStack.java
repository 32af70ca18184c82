package org.amused4j.vq;

import org.amused4j.io.Weights;
import org.amused4j.nn.Module;
import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Consecutive resnets {@code resnets.0 .. resnets.{count-1}}: the first maps in → out, the others out → out.
 * The body of every down, up and mid block of the VQ.
 */
final class ResnetStack implements Module {
    private final List<ResnetBlock> resnets = new ArrayList<>();

    /** {@code w} is the block's weights; the resnets live under its {@code resnets.} prefix. */
    ResnetStack(Weights w, int count, int in, int out, int groups) {
        for (int i = 0; i < count; i++) {
            resnets.add(new ResnetBlock(w.prefixed("resnets." + i), i == 0 ? in : out, out, groups));
        }
    }

    /** x through every resnet; the states between them go back to the tape (x, the caller's, does not). */
    Tensor forward(Tensor x, Tape tape) {
        Tensor h = x;
        for (ResnetBlock resnet : resnets) {
            Tensor next = resnet.forward(h, tape);
            if (h != x) {
                tape.recycle(h);
            }
            h = next;
        }
        return h;
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        for (int i = 0; i < resnets.size(); i++) {
            resnets.get(i).parameters(prefix + "resnets." + i + ".", sink);
        }
    }
}
