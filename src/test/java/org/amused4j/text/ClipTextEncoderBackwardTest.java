package org.amused4j.text;

import org.amused4j.io.RandomWeights;
import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The text encoder's backward on tiny randomly initialised models: spot checks against central finite differences
 * of the float32 forward, the recorded forward's outputs, and which parameters the penultimate states reach.
 * The loss is that of a training step's vector-Jacobian product, L = Σ penultimate·R + Σ text_embeds·Q.
 */
class ClipTextEncoderBackwardTest {
    private static final int[][] IDS = {{0, 7, 31, 12, 49, 3}, {0, 22, 22, 49, 5, 1}};

    /** A few parameters of every kind, including the last layer (reached through text_embeds only). */
    private static final List<String> SPOT_CHECKED = List.of(
            "text_model.embeddings.token_embedding.weight",
            "text_model.embeddings.position_embedding.weight",
            "text_model.encoder.layers.0.layer_norm1.weight",
            "text_model.encoder.layers.0.layer_norm1.bias",
            "text_model.encoder.layers.0.self_attn.q_proj.weight",
            "text_model.encoder.layers.0.self_attn.k_proj.weight",
            "text_model.encoder.layers.0.self_attn.v_proj.bias",
            "text_model.encoder.layers.0.self_attn.out_proj.weight",
            "text_model.encoder.layers.0.layer_norm2.bias",
            "text_model.encoder.layers.0.mlp.fc1.weight",
            "text_model.encoder.layers.0.mlp.fc1.bias",
            "text_model.encoder.layers.0.mlp.fc2.weight",
            "text_model.encoder.layers.LAST.self_attn.q_proj.bias",
            "text_model.encoder.layers.LAST.mlp.fc2.weight",
            "text_model.final_layer_norm.weight",
            "text_model.final_layer_norm.bias",
            "text_projection.weight");

    private static ClipTextEncoder tinyEncoder(int layers, String activation) {
        ClipTextConfig config = new ClipTextConfig(8, 16, layers, 2, 10, 50, 6, 1e-5, activation, 2);
        ClipTextEncoder encoder = new ClipTextEncoder(config, new RandomWeights(21));
        // RandomWeights makes biases 0 and norm scales 1; move them off those special values so that every term
        // of the backward matters.
        Random random = new Random(5);
        encoder.namedParameters().forEach((name, t) -> {
            if (t.shape().length == 1) {
                for (int i = 0; i < t.size(); i++) {
                    t.data()[i] += (float) (0.3 * random.nextGaussian());
                }
            }
        });
        return encoder;
    }

    /**
     * Central differences of the float32 forward, h = 1e-2 (the actual float step is used as the denominator).
     * Why these numbers: the loss is a double sum of float32 outputs, each rounded to ~6e-8 relative, so it
     * carries ~1e-6 of noise, which a step of 1e-2 turns into ~1e-4 of gradient noise; the truncation error
     * h²·f'''/6 is of the same order for weights of size ~0.3. A double-precision reference would not help: the
     * parameters' own forward is float32 only. The tolerance, 2e-3·max(1, |numeric|), is therefore ~10× the
     * expected error and still far below any missing or doubled term (which would be of the gradient's size).
     */
    @ParameterizedTest(name = "{0} layers, {1}")
    @CsvSource({"2, quick_gelu", "3, gelu", "1, quick_gelu"})
    void spotCheckedGradientsMatchFiniteDifferences(int layers, String activation) {
        ClipTextEncoder encoder = tinyEncoder(layers, activation);
        Tensor r = random(3, IDS.length, IDS[0].length, 8);
        Tensor q = random(4, IDS.length, 6);
        Map<String, Tensor> params = encoder.namedParameters();
        Map<String, float[]> grads = backward(encoder, r, q, false);

        Random pick = new Random(11);
        for (String pattern : SPOT_CHECKED) {
            String name = pattern.replace("LAST", String.valueOf(layers - 1));
            Tensor value = params.get(name);
            assertThat(value).as(name).isNotNull();
            for (int n = 0; n < 4; n++) {
                int i = name.endsWith("token_embedding.weight")
                        ? IDS[n % 2][1 + n] * value.dim(1) + pick.nextInt(value.dim(1)) // a row the ids use
                        : pick.nextInt(value.size());
                double numeric = finiteDifference(encoder, value.data(), i, r, q);
                assertThat((double) grads.get(name)[i]).as(name + "[" + i + "]")
                        .isCloseTo(numeric, within(2e-3 * Math.max(1, Math.abs(numeric))));
            }
        }
    }

    @ParameterizedTest(name = "gradient checkpointing {0}")
    @ValueSource(booleans = {false, true})
    void theRecordedForwardIsTheInferenceForwardBitForBit(boolean checkpointing) {
        ClipTextEncoder encoder = tinyEncoder(2, "quick_gelu");
        ClipTextOutput inference = encoder.forward(IDS, true);
        Tape tape = Tape.recording(trainableGradients(encoder, new LinkedHashMap<>()),
                new Tape.Options(false, checkpointing));
        ClipTextOutput recorded = encoder.forward(IDS, true, tape);
        assertThat(recorded.penultimate().data()).containsExactly(inference.penultimate().data());
        assertThat(recorded.lastHiddenState().data()).containsExactly(inference.lastHiddenState().data());
        assertThat(recorded.textEmbeds().data()).containsExactly(inference.textEmbeds().data());
    }

    @ParameterizedTest(name = "gradient checkpointing {0}")
    @ValueSource(booleans = {false, true})
    void thePenultimateStatesReachNeitherTheLastLayerNorWhatFollowsIt(boolean checkpointing) {
        ClipTextEncoder encoder = tinyEncoder(2, "quick_gelu");
        Map<String, float[]> grads = backward(encoder, random(3, IDS.length, IDS[0].length, 8), null, checkpointing);
        grads.forEach((name, g) -> {
            boolean after = name.contains("layers.1.") || name.contains("final_layer_norm")
                    || name.startsWith("text_projection");
            boolean zeroByMath = name.endsWith("k_proj.bias");
            if (after) {
                assertThat(g).as(name).containsOnly(0f);
            } else if (!zeroByMath) {
                assertThat(maxAbs(g)).as(name).isGreaterThan(0);
            }
        });
    }

    @ParameterizedTest(name = "gradient checkpointing {0}")
    @ValueSource(booleans = {false, true})
    void bothUpstreamGradientsAddUp(boolean checkpointing) {
        ClipTextEncoder encoder = tinyEncoder(2, "gelu");
        Tensor r = random(3, IDS.length, IDS[0].length, 8);
        Tensor q = random(4, IDS.length, 6);
        Map<String, float[]> both = backward(encoder, r, q, checkpointing);
        Map<String, float[]> fromR = backward(encoder, r, null, checkpointing);
        Map<String, float[]> fromQ = backward(encoder, null, q, checkpointing);
        both.forEach((name, g) -> {
            float[] a = fromR.get(name);
            float[] b = fromQ.get(name);
            for (int i = 0; i < g.length; i++) {
                assertThat(g[i]).as(name + "[" + i + "]").isCloseTo(a[i] + b[i],
                        within(1e-5f * (1 + Math.abs(g[i]))));
            }
        });
    }

    /** Every parameter's gradient of L = Σ penultimate·r + Σ text_embeds·q (either term may be absent). */
    private static Map<String, float[]> backward(ClipTextEncoder encoder, Tensor r, Tensor q, boolean checkpointing) {
        Map<String, float[]> byName = new LinkedHashMap<>();
        Tape tape = Tape.recording(trainableGradients(encoder, byName), new Tape.Options(false, checkpointing));
        encoder.forward(IDS, tape).backward(tape, r, q);
        return byName;
    }

    private static IdentityHashMap<float[], float[]> trainableGradients(ClipTextEncoder encoder,
                                                                        Map<String, float[]> byName) {
        IdentityHashMap<float[], float[]> gradients = new IdentityHashMap<>();
        encoder.namedParameters().forEach((name, t) -> {
            float[] g = new float[t.size()];
            gradients.put(t.data(), g);
            byName.put(name, g);
        });
        return gradients;
    }

    private static double finiteDifference(ClipTextEncoder encoder, float[] values, int i, Tensor r, Tensor q) {
        float saved = values[i];
        float plusValue = saved + 1e-2f;
        float minusValue = saved - 1e-2f;
        values[i] = plusValue;
        double plus = loss(encoder, r, q);
        values[i] = minusValue;
        double minus = loss(encoder, r, q);
        values[i] = saved;
        return (plus - minus) / ((double) plusValue - minusValue);
    }

    private static double loss(ClipTextEncoder encoder, Tensor r, Tensor q) {
        ClipTextOutput out = encoder.forward(IDS);
        return dot(out.penultimate(), r) + dot(out.textEmbeds(), q);
    }

    private static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) {
            s += (double) a.data()[i] * b.data()[i];
        }
        return s;
    }

    private static double maxAbs(float[] values) {
        double m = 0;
        for (float v : values) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
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
