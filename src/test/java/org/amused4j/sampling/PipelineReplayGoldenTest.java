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

import java.util.Arrays;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduler half of every {@code pipeline_*} golden case: starting from the recorded initial tokens (img2img:
 * from the encoded tokens through add_noise) and feeding the recorded guided logits, the whole
 * {@code uniform_stream} must be consumed exactly and every step's tokens and mask lengths must match (README §7-8).
 */
@UsesGolden
@Tag("parity")
class PipelineReplayGoldenTest {

    @TestFactory
    Stream<DynamicTest> everyPipelineStepReplays() {
        return Golden.cases("pipeline").stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> replay(c)));
    }

    private static void replay(GoldenCase c) {
        JsonNode json = c.json();
        JsonNode call = json.path("call");
        int steps = call.path("num_inference_steps").asInt(12);
        SchedulerConfig config = SchedulerConfig.read(
                c.resolve(json.path("model").asText()).resolve("scheduler/scheduler_config.json"));
        boolean inpaint = json.path("pipeline").asText().equals("AmusedInpaintPipeline");
        AmusedScheduler scheduler = AmusedScheduler.of(config, steps);
        if (inpaint) {
            scheduler = scheduler.withSchedule(MaskSchedule.LINEAR);
        }
        JsonNode temperature = call.path("temperature");
        if (temperature.isArray()) {
            scheduler = scheduler.withTemperature(temperature.get(0).floatValue(), temperature.get(1).floatValue());
        } else if (temperature.isNumber()) {
            scheduler = scheduler.withTemperature(temperature.floatValue());
        }
        try (SafeTensors st = c.open()) {
            ReplayRandomSource random = new ReplayRandomSource(st.load("uniform_stream").data());
            int[] initial = st.loadInts("initial_tokens");
            int[] tokens;
            if (st.contains("add_noise_u")) {
                int start = steps - (int) Math.floor(steps * call.path("strength").asDouble());
                int[] timesteps = scheduler.timesteps();
                int noiseTimestep = timesteps[Math.floorMod(start - 1, steps)];
                tokens = scheduler.addNoise(st.loadInts("encoded_tokens"), noiseTimestep, random);
                assertThat(tokens).as("add_noise").containsExactly(initial);
            } else {
                tokens = initial;
            }
            float startingMaskRatio = 1f;
            if (inpaint) {
                long masked = Arrays.stream(tokens).filter(t -> t == config.maskTokenId()).count();
                startingMaskRatio = (float) masked / (float) tokens.length;
            }

            Tensor guided = st.load("step_guided_logits");
            int[] shape = guided.shape();
            int[] stepShape = Arrays.copyOfRange(shape, 1, shape.length);
            int stepSize = guided.size() / shape[0];
            int[] timesteps = st.loadInts("step_timesteps");
            int[] inputs = st.loadInts("step_input_tokens");
            int[] preds = st.loadInts("step_pred_original");
            int[] outputs = st.loadInts("step_output_tokens");
            int[] maskLengths = st.loadInts("step_mask_len");
            float[] temperatures = st.load("step_temperature").data();
            int batch = shape[1];
            for (int s = 0; s < timesteps.length; s++) {
                int n = tokens.length;
                assertThat(tokens).as("input of step %d", s)
                        .containsExactly(Arrays.copyOfRange(inputs, s * n, (s + 1) * n));
                float[] stepLogits = Arrays.copyOfRange(guided.data(), s * stepSize, (s + 1) * stepSize);
                Tensor logits = Tensor.of(stepLogits, stepShape);
                StepResult r = scheduler.step(logits, timesteps[s], tokens, startingMaskRatio, random);
                assertThat(r.predOriginalSample()).as("pred_original of step %d", s)
                        .containsExactly(Arrays.copyOfRange(preds, s * n, (s + 1) * n));
                assertThat(r.prevSample()).as("output of step %d", s)
                        .containsExactly(Arrays.copyOfRange(outputs, s * n, (s + 1) * n));
                if (timesteps[s] != 0) {
                    float used = scheduler.temperatures()[scheduler.stepIndex(timesteps[s])];
                    assertThat(used).as("temperature of step %d", s).isEqualTo(temperatures[s]);
                    assertThat(r.maskLength()).as("mask_len of step %d", s)
                            .containsExactly(Arrays.copyOfRange(maskLengths, s * batch, (s + 1) * batch));
                }
                tokens = r.prevSample();
            }
            assertThat(tokens).as("final tokens").containsExactly(st.loadInts("final_tokens"));
            assertThat(random.remaining()).as("uniforms left unconsumed").isZero();
        }
    }
}
