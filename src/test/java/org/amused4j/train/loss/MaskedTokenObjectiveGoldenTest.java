package org.amused4j.train.loss;

import org.amused4j.golden.UsesGolden;
import com.fasterxml.jackson.databind.JsonNode;
import org.amused4j.golden.Approx;
import org.amused4j.golden.Golden;
import org.amused4j.golden.GoldenCase;
import org.amused4j.tensor.Tensor;
import org.amused4j.uvit.Trace;
import org.amused4j.uvit.UVit2DModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parity of one training step's objective with {@code train_amused.py} on every {@code training_transformer_*}
 * case (golden README §9.1): the masking from the recorded t and permutation, the transformer's logits on the
 * masked input, and the loss (plain and label-smoothed) with its gradient from the recorded logits.
 * Token-valued results must match exactly; float ones within the sidecar's suggested tolerances.
 */
@UsesGolden
@Tag("parity")
class MaskedTokenObjectiveGoldenTest {

    @TestFactory
    Stream<DynamicTest> maskingReproducesTheRecordedBatch() {
        return cases((c, model) -> {
            int[] tokens = ints(c.longs("image_tokens"));
            int batch = c.tensor("mask_t").size();
            int seqLen = tokens.length / batch;
            float[] t = c.tensor("mask_t").data();
            int[] perm = ints(c.longs("batch_randperm"));
            assertThat(MaskingRule.argsortRows(c.tensor("randperm_u").data(), batch, seqLen))
                    .as("argsort of randperm_u").containsExactly(perm);

            int maskId = model.config().vocabSize() - 1;
            assertThat(maskId).as("mask id").isEqualTo(c.json().path("mask_token_id").asInt());
            MaskingRule rule = new MaskingRule(maskId, 0f);
            float[] expectedProb = c.tensor("mask_prob").data();
            for (int b = 0; b < batch; b++) {
                assertThat(rule.maskProbability(t[b])).as("mask_prob[%d]", b).isEqualTo(expectedProb[b]);
            }
            MaskedBatch masked = rule.apply(tokens, batch, t, perm);
            assertThat(masked.maskedCounts()).as("num_token_masked").containsExactly(ints(c.longs("num_token_masked")));
            long[] mask = c.longs("mask");
            for (int i = 0; i < mask.length; i++) {
                assertThat(masked.mask()[i]).as("mask[%d]", i).isEqualTo(mask[i] != 0);
            }
            assertThat(masked.inputIds()).as("input_ids").containsExactly(ints(c.longs("input_ids")));
            assertThat(masked.labels()).as("labels").containsExactly(ints(c.longs("labels")));
        });
    }

    @TestFactory
    Stream<DynamicTest> lossAndGradientFromTheRecordedLogits() {
        return cases((c, model) -> {
            Tensor logits = c.tensor("logits");
            int[] labels = ints(c.longs("labels"));
            MaskedCrossEntropy.Result plain = new MaskedCrossEntropy().evaluate(logits, labels);
            assertThat(plain.counted()).as("n_masked").isEqualTo(c.json().path("n_masked").asInt());
            Approx.assertClose(c.name() + "/loss", c.tensor("loss").data(), new float[]{plain.loss()}, c.atol("loss"));
            Approx.assertClose(c.name() + "/grad_logits", c.tensor("grad_logits"), plain.gradLogits(),
                    c.atol("grad_logits"));

            double smoothing = c.json().path("label_smoothing").asDouble();
            assertThat(smoothing).as("label_smoothing").isPositive();
            MaskedCrossEntropy.Result smoothed = new MaskedCrossEntropy(smoothing).evaluate(logits, labels);
            Approx.assertClose(c.name() + "/loss_label_smoothing_0_1", c.tensor("loss_label_smoothing_0_1").data(),
                    new float[]{smoothed.loss()}, c.atol("loss_label_smoothing_0_1"));
        });
    }

    @TestFactory
    Stream<DynamicTest> transformerLogitsOnTheMaskedInput() {
        return cases((c, model) -> {
            JsonNode shape = c.json().path("tensors").path("input_ids").path("shape");
            int height = shape.get(1).asInt();
            int width = shape.get(2).asInt();
            Tensor logits = model.forward(ints(c.longs("input_ids")), height, width, c.tensor("encoder_hidden_states"),
                    c.tensor("pooled_text_emb"), c.tensor("micro_conds"), Trace.NONE);
            Approx.assertClose(c.name() + "/logits", c.tensor("logits"), logits, c.atol("logits"));
        });
    }

    @FunctionalInterface
    private interface CaseCheck {
        void run(GoldenCase c, UVit2DModel model) throws Exception;
    }

    private static Stream<DynamicTest> cases(CaseCheck check) {
        return Golden.cases("training_transformer").stream().map(c -> DynamicTest.dynamicTest(c.name(),
                () -> check.run(c, UVit2DModel.load(c.resolve(c.json().path("model").asText())))));
    }

    private static int[] ints(long[] values) {
        return Arrays.stream(values).mapToInt(Math::toIntExact).toArray();
    }
}
