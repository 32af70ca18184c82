package org.amused4j.train;

import org.amused4j.golden.UsesGolden;
import com.fasterxml.jackson.databind.JsonNode;
import org.amused4j.golden.Approx;
import org.amused4j.golden.Golden;
import org.amused4j.golden.GoldenCase;
import org.amused4j.io.SafeTensors;
import org.amused4j.tensor.Tensor;
import org.amused4j.train.loss.MaskedCrossEntropy;
import org.amused4j.uvit.UVit2DModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code training_transformer_*} case: the loss, the logits, d loss / d logits, the gradient of every
 * transformer parameter, of the text inputs and of the named activations, each within the sidecar's
 * suggested tolerance (mathematically zero gradients against their recorded noise level); with and without
 * gradient checkpointing.
 */
@UsesGolden
@Tag("parity")
class TransformerTrainingGoldenTest {

    @TestFactory
    Stream<DynamicTest> lossAndEveryGradientMatch() {
        return Golden.cases("training_transformer").stream().flatMap(c -> Stream.of(false, true).map(checkpointing ->
                DynamicTest.dynamicTest(c.name() + (checkpointing ? " (gradient checkpointing)" : ""),
                        () -> check(c, checkpointing))));
    }

    private static void check(GoldenCase c, boolean gradientCheckpointing) {
        UVit2DModel model = UVit2DModel.load(c.model());
        List<Parameter> params = TransformerTrainingPass.parameters(model, name -> true);
        GoldenBatch batch = GoldenBatch.of(c);
        TransformerTrainingPass.Result result = batch.run(
                new TransformerTrainingPass(model, params, new MaskedCrossEntropy(), gradientCheckpointing), true);

        assertThat(result.maskedCount()).isEqualTo(c.json().get("n_masked").asInt());
        Approx.assertClose(c.name() + "/loss", c.tensor("loss").data(), new float[] {result.loss()},
                c.atol("loss"));
        Approx.assertClose(c.name() + "/logits", c.tensor("logits"), result.logits(), c.atol("logits"));
        Approx.assertClose(c.name() + "/grad_logits", c.tensor("grad_logits"), result.gradLogits(),
                c.atol("grad_logits"));
        Approx.assertClose(c.name() + "/grad_input/encoder_hidden_states",
                c.tensor("grad_input/encoder_hidden_states"),
                result.gradient(batch.conditioning().encoderHiddenStates()),
                c.atol("grad_input/encoder_hidden_states"));
        Approx.assertClose(c.name() + "/grad_input/pooled_text_emb", c.tensor("grad_input/pooled_text_emb"),
                result.gradient(batch.conditioning().pooledTextEmb()), c.atol("grad_input/pooled_text_emb"));
        try (SafeTensors golden = c.open()) {
            for (String name : golden.names().stream().filter(n -> n.startsWith("grad_act/")).sorted().toList()) {
                // The golden names (e.g. cond_embed_out) are those the model retains the activations under.
                String activation = name.substring("grad_act/".length());
                Tensor actual = result.tape().gradient(activation);
                assertThat(actual).as(c.name() + ": gradient of " + activation).isNotNull();
                Approx.assertClose(c.name() + "/" + name, golden.load(name), actual, c.atol(name));
            }
            checkParameterGradients(c, golden, params);
        }
    }

    private static void checkParameterGradients(GoldenCase c, SafeTensors golden, List<Parameter> params) {
        List<String> recorded = golden.names().stream()
                .filter(n -> n.startsWith("grad/")).map(n -> n.substring("grad/".length())).toList();
        assertThat(params.stream().map(Parameter::name).toList()).as(c.name() + " parameters")
                .containsExactlyInAnyOrderElementsOf(recorded);
        JsonNode zero = c.json().path("zero_gradients");
        double largest = params.stream().mapToDouble(p -> maxAbs(golden.load("grad/" + p.name()).data())).max()
                .orElseThrow();
        for (Parameter p : params) {
            String name = "grad/" + p.name();
            double atol = zero.has(p.name())
                    ? Math.max(4 * zero.get(p.name()).asDouble(), 1e-4 * largest) : c.atol(name);
            Approx.assertClose(c.name() + "/" + name, golden.load(name).data(), p.grad(), atol);
        }
    }

    private static double maxAbs(float[] values) {
        double m = 0;
        for (float v : values) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
