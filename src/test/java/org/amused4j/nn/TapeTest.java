package org.amused4j.nn;

import org.amused4j.io.RandomWeights;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The tape's bookkeeping (an input used twice, a reshape view, a frozen parameter) checked against central
 * finite differences of a small composite: x → LoRA linear → SiLU → + x → reshape → RMSNorm, with
 * loss = Σ out·r for a fixed random r.
 */
class TapeTest {
    private static final int ROWS = 3;
    private static final int DIM = 4;

    private final Linear base = new Linear(new RandomWeights(11).prefixed("proj"), DIM, DIM, true);
    private final LoraLinear lora = new LoraLinear(base, new RandomWeights(13), 2, 3.0);
    private final RmsNorm norm = new RmsNorm(new RandomWeights(17).prefixed("norm"), DIM, 1e-6, true);
    private final Tensor x = random(9, ROWS, DIM);
    private final Tensor r = random(5, 1, ROWS, DIM);

    private Tensor forward(Tape tape) {
        Tensor h = TensorOps.add(TensorOps.silu(lora.forward(x, tape), tape), x, tape);
        return norm.forward(h.reshape(1, ROWS, DIM), tape);
    }

    private double loss() {
        float[] out = forward(Tape.NONE).data();
        double s = 0;
        for (int i = 0; i < out.length; i++) {
            s += (double) out[i] * r.data()[i];
        }
        return s;
    }

    @Test
    void gradientsOfTheInputAndTheTrainedParametersMatchFiniteDifferences() {
        Map<String, Tensor> params = new LinkedHashMap<>();
        lora.parameters("proj.", params::put);
        norm.parameters("norm.", params::put);
        IdentityHashMap<float[], float[]> grads = new IdentityHashMap<>();
        params.forEach((name, t) -> {
            if (!name.equals("proj.weight")) {
                grads.put(t.data(), new float[t.size()]);
            }
        });
        Tape tape = Tape.recording(grads, new Tape.Options(false, false));
        Tensor out = forward(tape);
        tape.backward(out, r);

        checkAgainstFiniteDifferences("x", x.data(), tape.gradient(x).data());
        params.forEach((name, t) -> {
            if (grads.containsKey(t.data())) {
                checkAgainstFiniteDifferences(name, t.data(), grads.get(t.data()));
            }
        });
        assertThat(params).containsKeys("proj.lora_A.weight", "proj.lora_B.weight");
        assertThat(tape.parameterGradient(params.get("proj.weight"))).as("frozen base weight").isNull();
    }

    @Test
    void theInferenceTapeRecordsNothingAndCannotRunBackward() {
        Tensor out = forward(Tape.NONE);
        assertThat(Tape.NONE.gradient(x)).isNull();
        assertThatThrownBy(() -> Tape.NONE.backward(out, r)).isInstanceOf(IllegalStateException.class);
    }

    /**
     * A residual sum without a recording tape lands in the branch's storage and leaves x alone; with one it is a
     * new tensor and both inputs get the output's gradient.
     */
    @Test
    void aResidualReusesTheBranchOnlyWhenNothingIsRecorded() {
        Tensor x0 = Tensor.of(new float[] {1f, 2f, 3f}, 3);
        Tensor branch = Tensor.of(new float[] {0.5f, -1f, 4f}, 3);
        Tensor sum = TensorOps.residual(x0, branch, Tape.NONE);
        assertThat(sum).isSameAs(branch);
        assertThat(sum.data()).containsExactly(1.5f, 1f, 7f);
        assertThat(x0.data()).containsExactly(1f, 2f, 3f);

        IdentityHashMap<float[], float[]> grads = new IdentityHashMap<>();
        Tape tape = Tape.recording(grads, new Tape.Options(false, false));
        Tensor xr = Tensor.of(new float[] {1f, 2f, 3f}, 3);
        Tensor br = Tensor.of(new float[] {0.5f, -1f, 4f}, 3);
        Tensor recorded = TensorOps.residual(xr, br, tape);
        assertThat(recorded).isNotSameAs(br).isNotSameAs(xr);
        assertThat(recorded.data()).containsExactly(1.5f, 1f, 7f);
        assertThat(br.data()).containsExactly(0.5f, -1f, 4f);
        tape.backward(recorded, Tensor.of(new float[] {1f, 10f, 100f}, 3));
        assertThat(tape.gradient(xr).data()).containsExactly(1f, 10f, 100f);
        assertThat(tape.gradient(br).data()).containsExactly(1f, 10f, 100f);
    }

    @Test
    void aRecyclingTapeLendsRecycledStorageOnlyForTheSameSizeAndOnlyOnce() {
        Tape tape = Tape.recycling();
        Tensor dead = tape.output(2, 3);
        tape.recycle(dead);

        assertThat(tape.output(4, 4).data()).isNotSameAs(dead.data());
        Tensor reused = tape.output(3, 2);
        assertThat(reused.data()).isSameAs(dead.data());
        assertThat(reused.shape()).containsExactly(3, 2);
        assertThat(tape.output(6).data()).as("lent once").isNotSameAs(dead.data());
        tape.recycle(reused);
        assertThatThrownBy(() -> tape.recycle(reused)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("recycled twice");
    }

    @Test
    void otherTapesNeverReuseStorage() {
        for (Tape tape : new Tape[] {Tape.NONE, Tape.recording(new IdentityHashMap<>(), new Tape.Options(false, false))}) {
            Tensor dead = tape.output(2, 3);
            dead.data()[0] = 5f;
            tape.recycle(dead);
            Tensor next = tape.output(2, 3);
            assertThat(next.data()).isNotSameAs(dead.data()).containsOnly(0f);
        }
        assertThat(Tape.recycling().isRecording()).isFalse();
    }

    /** Perturbs each element of {@code values} (the input's or a parameter's live storage) by ±h. */
    private void checkAgainstFiniteDifferences(String what, float[] values, float[] analytic) {
        double h = 1e-3;
        for (int i = 0; i < values.length; i++) {
            float saved = values[i];
            values[i] = (float) (saved + h);
            double plus = loss();
            values[i] = (float) (saved - h);
            double minus = loss();
            values[i] = saved;
            double numeric = (plus - minus) / (2 * h);
            assertThat((double) analytic[i]).as(what + "[" + i + "]")
                    .isCloseTo(numeric, within(2e-3 * Math.max(1, Math.abs(numeric))));
        }
    }

    private static Tensor random(long seed, int... shape) {
        Random random = new Random(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) random.nextGaussian();
        }
        return t;
    }
}
