package org.amused4j.train.vq;

import org.amused4j.io.RandomWeights;
import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;
import org.amused4j.vq.VqConfig;
import org.amused4j.vq.VqModel;
import org.junit.jupiter.api.Test;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tape-aware encoder and decoder (GroupNorm + SiLU, resnets with and without shortcut, down- and upsampling)
 * against central finite differences of L = Σ output·R on a tiny model, for the input and every parameter tensor.
 */
class VqBackwardTest {
    private static final VqConfig TINY = new VqConfig(3, 3, List.of(8, 16), 1, 4, 16, 4, 4, false);

    @Test
    void encoderGradientsMatchFiniteDifferences() {
        VqModel model = new VqModel(TINY, new RandomWeights(3));
        check(model, random(new int[] {2, 3, 8, 8}, 5), model::encode);
    }

    @Test
    void decoderGradientsMatchFiniteDifferences() {
        VqModel model = new VqModel(TINY, new RandomWeights(4));
        check(model, random(new int[] {2, 4, 4, 4}, 6), model::decodeEmbeddings);
    }

    @Test
    void inferenceForwardEqualsRecordedForward() {
        VqModel model = new VqModel(TINY, new RandomWeights(5));
        Tensor x = random(new int[] {1, 3, 8, 8}, 7);
        Tensor recorded = model.encode(x, Tape.recording(new IdentityHashMap<>(), new Tape.Options(false, false)));
        assertThat(model.encode(x).data()).containsExactly(recorded.data());
    }

    private static void check(VqModel model, Tensor input, BiFunction<Tensor, Tape, Tensor> forward) {
        Map<String, Tensor> params = model.namedParameters();
        IdentityHashMap<float[], float[]> grads = new IdentityHashMap<>();
        params.values().stream().filter(p -> !p.equals(model.quantizer().codebook()))
                .forEach(p -> grads.put(p.data(), new float[p.size()]));
        Tape tape = Tape.recording(grads, new Tape.Options(false, false));
        Tensor out = forward.apply(input, tape);
        Tensor r = random(out.shape(), 11);
        tape.backward(out, r);
        Random pick = new Random(1);
        checkElements("input", input.data(), tape.gradient(input).data(), pick, () -> loss(forward, input, r));
        params.forEach((name, p) -> {
            float[] g = grads.get(p.data());
            if (g != null) {
                checkElements(name, p.data(), g, pick, () -> loss(forward, input, r));
            }
        });
    }

    /** Compares a few random elements of the analytic gradient with central differences in double-rounded steps. */
    private static void checkElements(String what, float[] values, float[] grad, Random pick,
                                      java.util.function.DoubleSupplier loss) {
        for (int n = 0; n < 3; n++) {
            int i = pick.nextInt(values.length);
            float keep = values[i];
            float h = 1e-2f;
            values[i] = keep + h;
            double up = loss.getAsDouble();
            values[i] = keep - h;
            double down = loss.getAsDouble();
            values[i] = keep;
            double numeric = (up - down) / (2 * h);
            assertThat((double) grad[i]).as(what + "[" + i + "]")
                    .isCloseTo(numeric, org.assertj.core.data.Offset.offset(2e-3 + 2e-2 * Math.abs(numeric)));
        }
    }

    private static double loss(BiFunction<Tensor, Tape, Tensor> forward, Tensor input, Tensor r) {
        Tensor out = forward.apply(input, Tape.NONE);
        double sum = 0;
        for (int i = 0; i < out.size(); i++) {
            sum += (double) out.data()[i] * r.data()[i];
        }
        return sum;
    }

    private static Tensor random(int[] shape, long seed) {
        Random random = new Random(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) random.nextGaussian();
        }
        return t;
    }
}
