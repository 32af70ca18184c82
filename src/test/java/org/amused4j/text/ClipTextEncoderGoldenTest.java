package org.amused4j.text;

import org.amused4j.golden.UsesGolden;
import com.fasterxml.jackson.databind.JsonNode;
import org.amused4j.golden.Approx;
import org.amused4j.golden.Golden;
import org.amused4j.golden.GoldenCase;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every text_encoder_* golden case: ids, every hidden state, pooled output and projection. */
@UsesGolden
@Tag("parity")
class ClipTextEncoderGoldenTest {

    static List<GoldenCase> cases() {
        return Golden.cases("text_encoder");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheReference(GoldenCase c) {
        Path modelDir = c.model();
        ClipTextEncoder encoder = GoldenTextEncoders.load(modelDir);
        int[][] ids = GoldenTextEncoders.rows(c.longs("input_ids"), c.longs("eot_index").length);

        // The model's own tokenizer reproduces the ids from the prompts.
        JsonNode prompts = c.json().path("prompts");
        List<String> texts = new ArrayList<>();
        prompts.forEach(p -> texts.add(p.asText()));
        ClipTokenizer tokenizer = ClipTokenizer.load(modelDir.resolveSibling("tokenizer"));
        assertThat(tokenizer.encode(texts)).as("input_ids").isDeepEqualTo(ids);

        ClipTextOutput out = encoder.forward(ids, true);

        Tensor hidden = c.tensor("hidden_states");
        assertThat(out.hiddenStates()).hasSize(hidden.dim(0));
        int perState = hidden.size() / hidden.dim(0);
        for (int i = 0; i < out.hiddenStates().size(); i++) {
            float[] expected = Arrays.copyOfRange(hidden.data(), i * perState, (i + 1) * perState);
            Approx.assertClose(c.name() + " hidden_states[" + i + "]", expected, out.hiddenStates().get(i).data(),
                    c.atol("hidden_states"));
        }
        Approx.assertClose(c.name() + " encoder_hidden_states", c.tensor("encoder_hidden_states"), out.penultimate(),
                c.atol("encoder_hidden_states"));
        Approx.assertClose(c.name() + " last_hidden_state", c.tensor("last_hidden_state"), out.lastHiddenState(),
                c.atol("last_hidden_state"));
        // pooler_output has no tolerance of its own: it is a row selection of last_hidden_state, so its error is
        // bounded by that tensor's.
        Approx.assertClose(c.name() + " pooler_output", c.tensor("pooler_output"), out.pooledOutput(),
                c.atol("last_hidden_state"));
        Approx.assertClose(c.name() + " text_embeds", c.tensor("text_embeds"), out.textEmbeds(), c.atol("text_embeds"));
        assertThat(Arrays.stream(out.poolingIndex()).asLongStream().toArray()).as("eot_index")
                .containsExactly(c.longs("eot_index"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void inferenceWithoutHiddenStatesGivesTheSameConditioning(GoldenCase c) {
        ClipTextEncoder encoder = GoldenTextEncoders.load(c.model());
        int[][] ids = GoldenTextEncoders.rows(c.longs("input_ids"), c.longs("eot_index").length);
        ClipTextOutput full = encoder.forward(ids, true);
        ClipTextOutput lean = encoder.forward(ids);
        assertThat(lean.hiddenStates()).isEmpty();
        assertThat(lean.penultimate().data()).containsExactly(full.penultimate().data());
        assertThat(lean.textEmbeds().data()).containsExactly(full.textEmbeds().data());
        // A single prompt alone gives the same row as inside the batch.
        ClipTextOutput single = encoder.forward(new int[][] {ids[ids.length - 1]});
        int width = encoder.config().projectionDim();
        Approx.assertClose("last row alone", Arrays.copyOfRange(full.textEmbeds().data(), (ids.length - 1) * width,
                ids.length * width), single.textEmbeds().data(), c.atol("text_embeds"));
    }
}
