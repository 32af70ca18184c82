package org.amused4j.text;

import com.fasterxml.jackson.databind.JsonNode;
import org.amused4j.golden.Approx;
import org.amused4j.golden.Golden;
import org.amused4j.golden.GoldenCase;
import org.amused4j.golden.UsesGolden;
import org.amused4j.io.SafeTensors;
import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;
import org.amused4j.train.Parameter;
import org.amused4j.train.TransformerTrainingPass;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code training_text_encoder_*} case (golden README §9.4): loss = Σ encoder_hidden_states·R +
 * Σ text_embeds·Q, and its gradient w.r.t. every text-encoder parameter within the sidecar's suggested tolerance
 * (mathematically zero gradients against their recorded noise level); with and without gradient checkpointing.
 */
@UsesGolden
@Tag("parity")
class ClipTextEncoderTrainingGoldenTest {
    private static final String TOKEN_EMBEDDING = "text_model.embeddings.token_embedding.weight";

    @TestFactory
    Stream<DynamicTest> lossAndEveryParameterGradientMatch() {
        return Golden.cases("training_text_encoder").stream().flatMap(c -> Stream.of(false, true).map(checkpointing ->
                DynamicTest.dynamicTest(c.name() + (checkpointing ? " (gradient checkpointing)" : ""),
                        () -> check(c, checkpointing))));
    }

    private static void check(GoldenCase c, boolean gradientCheckpointing) {
        ClipTextEncoder encoder = GoldenTextEncoders.load(c.model());
        Tensor r = c.tensor("R");
        Tensor q = c.tensor("Q");
        int[][] ids = GoldenTextEncoders.rows(c.longs("input_ids"), q.dim(0));
        assertThat(ClipTokenizer.load(c.model().resolveSibling("tokenizer")).encode(prompts(c))).as("input_ids")
                .isDeepEqualTo(ids);

        List<Parameter> params = TransformerTrainingPass.parameters(encoder, name -> true);
        IdentityHashMap<float[], float[]> gradients = new IdentityHashMap<>();
        params.forEach(p -> gradients.put(p.value(), p.grad()));
        Tape tape = Tape.recording(gradients, new Tape.Options(false, gradientCheckpointing));
        ClipTextOutput out = encoder.forward(ids, tape);
        double loss = dot(out.penultimate(), r) + dot(out.textEmbeds(), q);
        Approx.assertClose(c.name() + "/loss", c.tensor("loss").data(), new float[] {(float) loss}, c.atol("loss"));

        out.backward(tape, r, q);
        try (SafeTensors golden = c.open()) {
            checkParameterGradients(c, golden, params);
        }
    }

    private static void checkParameterGradients(GoldenCase c, SafeTensors golden, List<Parameter> params) {
        List<String> recorded = golden.names().stream().filter(n -> n.startsWith("grad/"))
                .map(n -> n.substring("grad/".length()).replaceFirst(":(rows|values)$", "")).distinct().toList();
        assertThat(params.stream().map(Parameter::name).toList()).as(c.name() + " parameters")
                .containsExactlyInAnyOrderElementsOf(recorded);
        JsonNode zero = c.json().path("zero_gradients");
        double largest = recorded.stream().map(n -> n.equals(TOKEN_EMBEDDING) ? n + ":values" : n)
                .mapToDouble(n -> maxAbs(golden.load("grad/" + n).data())).max().orElseThrow();
        for (Parameter p : params) {
            String name = "grad/" + p.name();
            if (p.name().equals(TOKEN_EMBEDDING)) {
                checkSparseRows(c, golden, p);
                continue;
            }
            double atol = zero.has(name) ? Math.max(4 * zero.get(name).asDouble(), 1e-4 * largest) : c.atol(name);
            Approx.assertClose(c.name() + "/" + name, golden.load(name).data(), p.grad(), atol);
        }
    }

    /** The token embedding's gradient is stored as its non-zero rows; every other row must be exactly 0. */
    private static void checkSparseRows(GoldenCase c, SafeTensors golden, Parameter p) {
        String name = "grad/" + p.name();
        long[] rowIds = golden.loadLongs(name + ":rows");
        float[] expected = golden.load(name + ":values").data();
        int dim = p.shape()[1];
        float[] dense = p.grad();
        float[] actualRows = new float[rowIds.length * dim];
        boolean[] listed = new boolean[p.shape()[0]];
        for (int i = 0; i < rowIds.length; i++) {
            int row = Math.toIntExact(rowIds[i]);
            listed[row] = true;
            System.arraycopy(dense, row * dim, actualRows, i * dim, dim);
        }
        Approx.assertClose(c.name() + "/" + name + ":values", expected, actualRows, c.atol(name + ":values"));
        for (int row = 0; row < listed.length; row++) {
            if (!listed[row]) {
                float[] values = Arrays.copyOfRange(dense, row * dim, (row + 1) * dim);
                assertThat(values).as(c.name() + ": gradient of unused token row " + row).containsOnly(0f);
            }
        }
    }

    private static List<String> prompts(GoldenCase c) {
        List<String> texts = new ArrayList<>();
        c.json().path("prompts").forEach(p -> texts.add(p.asText()));
        return texts;
    }

    private static double dot(Tensor a, Tensor b) {
        assertThat(a.shape()).isEqualTo(b.shape());
        double sum = 0;
        for (int i = 0; i < a.size(); i++) {
            sum += (double) a.data()[i] * b.data()[i];
        }
        return sum;
    }

    private static double maxAbs(float[] values) {
        double m = 0;
        for (float v : values) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
