package org.amused4j.sampling;

import org.amused4j.golden.UsesGolden;
import com.fasterxml.jackson.databind.JsonNode;
import org.amused4j.golden.Golden;
import org.amused4j.golden.GoldenCase;
import org.amused4j.io.SafeTensors;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays every scheduler case of every {@code scheduler_*} golden file (README §7) with its recorded uniforms and
 * requires the exact tokens, mask lengths and re-mask decisions.
 */
@UsesGolden
@Tag("parity")
class SchedulerGoldenTest {

    @TestFactory
    Stream<DynamicTest> everyRecordedStepMatches() {
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenCase file : Golden.cases("scheduler")) {
            for (JsonNode c : file.json().path("cases")) {
                tests.add(DynamicTest.dynamicTest(file.name() + "/" + c.path("name").asText(), () -> check(file, c)));
            }
        }
        assertThat(tests).isNotEmpty();
        return tests.stream();
    }

    private static void check(GoldenCase file, JsonNode c) {
        String prefix = c.path("prefix").asText();
        AmusedScheduler scheduler = scheduler(c);
        try (SafeTensors st = file.open()) {
            assertThat(scheduler.timesteps()).as("timesteps")
                    .containsExactly(ints(st.loadLongs(prefix + "timesteps")));
            assertThat(scheduler.temperatures()).as("temperatures")
                    .containsExactly(st.load(prefix + "temperatures").data());

            Tensor logits = st.load(prefix + "model_output");
            int[] sample = ints(st.loadLongs(prefix + "sample"));
            ReplayRandomSource random = new ReplayRandomSource(st.load(prefix + "uniforms").data());
            StepResult result = scheduler.step(logits, c.path("timestep").asInt(), sample,
                    (float) c.path("starting_mask_ratio").asDouble(), random);

            assertThat(random.remaining()).as("uniforms left unconsumed").isZero();
            assertThat(result.predOriginalSample()).as("pred_original_sample")
                    .containsExactly(ints(st.loadLongs(prefix + "pred_original_sample")));
            assertThat(result.prevSample()).as("prev_sample")
                    .containsExactly(ints(st.loadLongs(prefix + "prev_sample")));
            if (st.contains(prefix + "mask_len")) {
                assertThat(result.maskLength()).as("mask_len")
                        .containsExactly(ints(st.loadLongs(prefix + "mask_len")));
                long[] masking = st.loadLongs(prefix + "masking");
                for (int i = 0; i < masking.length; i++) {
                    assertThat(result.remasked()[i]).as("masking[%d]", i).isEqualTo(masking[i] == 1);
                }
                assertWithinTermUlps("confidence", st.load(prefix + "confidence").data(), result.confidence());
            } else {
                assertThat(result.maskLength()).as("no re-masking at the last step").isEmpty();
                assertThat(result.prevSample()).isEqualTo(result.predOriginalSample());
            }
        }
    }

    private static AmusedScheduler scheduler(JsonNode c) {
        AmusedScheduler s = new AmusedScheduler(c.path("mask_token_id").asInt(),
                MaskSchedule.fromConfigName(c.path("masking_schedule").asText()),
                c.path("num_inference_steps").asInt(), AmusedScheduler.DEFAULT_TEMPERATURE_START,
                AmusedScheduler.DEFAULT_TEMPERATURE_END);
        JsonNode t = c.path("temperature_arg");
        return t.isArray() ? s.withTemperature(t.get(0).floatValue(), t.get(1).floatValue())
                : s.withTemperature(t.floatValue());
    }

    /**
     * Confidences only decide the ordering (the re-mask decisions above are compared exactly). They are sums
     * log(p) + τ·g of terms up to ~90 that may cancel, and PyTorch's float32 softmax/log may differ from ours by an
     * ulp of the terms, so the bound is a few ulps of the largest term (log(FLT_MAX) = 88.7), not of the result.
     */
    private static void assertWithinTermUlps(String what, float[] expected, float[] actual) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        float bound = 4 * Math.ulp((float) Math.log(Float.MAX_VALUE));
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("%s[%d]: %s vs %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(bound);
        }
    }

    private static int[] ints(long[] longs) {
        int[] out = new int[longs.length];
        for (int i = 0; i < longs.length; i++) {
            out[i] = Math.toIntExact(longs[i]);
        }
        return out;
    }
}
