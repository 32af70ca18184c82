package org.amused4j.pipeline;

import org.amused4j.golden.UsesGolden;
import com.fasterxml.jackson.databind.JsonNode;
import org.amused4j.golden.Approx;
import org.amused4j.golden.Golden;
import org.amused4j.golden.GoldenCase;
import org.amused4j.image.ByteImage;
import org.amused4j.image.ImageFiles;
import org.amused4j.image.PipelineImages;
import org.amused4j.io.SafeTensors;
import org.amused4j.sampling.ReplayRandomSource;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code pipeline_*} golden case end to end through {@link Amused}: the request is built from the case's
 * recorded call, all randomness comes from its {@code uniform_stream}, and every step's tokens, the guided logits,
 * the final tokens, the decoder output and the 8-bit image must match (golden README §8).
 */
@UsesGolden
@Tag("parity")
class PipelineGoldenTest {
    private static final Map<Path, AmusedModel> MODELS = new ConcurrentHashMap<>();

    @TestFactory
    Stream<DynamicTest> everyPipelineCaseMatches() {
        return Golden.cases("pipeline").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(GoldenCase c) {
        JsonNode json = c.json();
        JsonNode call = json.path("call");
        AmusedModel model = MODELS.computeIfAbsent(c.resolve(json.path("model").asText()),
                dir -> AmusedModel.load(dir, null));
        Amused amused = new Amused(model);
        GenerationOptions options = options(call);
        Prompts prompts = new Prompts(strings(call.path("prompt")), strings(call.path("negative_prompt")));
        List<StepEvent> events = new ArrayList<>();
        StepListener recorder = e -> events.add(new StepEvent(e.step(), e.totalSteps(), e.timestep(), e.batch(),
                e.height(), e.width(), e.inputTokens().clone(), e.outputTokens().clone(), e.stillMasked(),
                e.guidedLogits().copy()));

        try (SafeTensors st = c.open()) {
            ReplayRandomSource random = new ReplayRandomSource(st.load("uniform_stream").data());
            Generation result = switch (json.path("pipeline").asText()) {
                case "AmusedPipeline" -> amused.textToImage(new Requests.TextToImage(prompts,
                        call.path("width").asInt(0), call.path("height").asInt(0), options), random, recorder);
                case "AmusedImg2ImgPipeline" -> amused.imageToImage(new Requests.ImageToImage(prompts,
                        ImageFiles.read(c.resolve(c.name() + "_image.png")),
                        (float) call.path("strength").asDouble(Requests.ImageToImage.DEFAULT_STRENGTH), options),
                        random, recorder);
                case "AmusedInpaintPipeline" -> amused.inpaint(new Requests.Inpaint(prompts,
                        ImageFiles.read(c.resolve(c.name() + "_image.png")),
                        ImageFiles.read(c.resolve(c.name() + "_mask.png")),
                        (float) call.path("strength").asDouble(Requests.Inpaint.DEFAULT_STRENGTH), options),
                        random, recorder);
                default -> throw new AssertionError("unknown pipeline " + json.path("pipeline"));
            };

            int[] timesteps = st.loadInts("step_timesteps");
            assertThat(events).as("executed steps").hasSize(timesteps.length);
            int[] inputs = st.loadInts("step_input_tokens");
            int[] outputs = st.loadInts("step_output_tokens");
            Tensor guided = st.load("step_guided_logits");
            int stepLogits = guided.size() / timesteps.length;
            for (int s = 0; s < timesteps.length; s++) {
                StepEvent e = events.get(s);
                int n = e.inputTokens().length;
                assertThat(e.timestep()).as("timestep of step %d", s).isEqualTo(timesteps[s]);
                assertThat(e.inputTokens()).as("input tokens of step %d", s)
                        .containsExactly(Arrays.copyOfRange(inputs, s * n, (s + 1) * n));
                // Compared before the tokens: a logit outside tolerance explains a token mismatch that follows.
                Approx.assertClose("guided logits of step " + s,
                        Arrays.copyOfRange(guided.data(), s * stepLogits, (s + 1) * stepLogits),
                        e.guidedLogits().data(), c.atol("step_guided_logits"));
                assertThat(e.outputTokens()).as("output tokens of step %d", s)
                        .containsExactly(Arrays.copyOfRange(outputs, s * n, (s + 1) * n));
            }
            assertThat(result.tokens()).as("final tokens").containsExactly(st.loadInts("final_tokens"));
            assertThat(random.remaining()).as("uniforms left unconsumed").isZero();
            Approx.assertClose("decoded_raw", st.load("decoded_raw"), result.decoded(), c.atol("decoded_raw"));

            // Exact, except where the reference's x·255 lies within image_float's tolerance of a .5 rounding
            // boundary: there float32 noise legitimately decides the rounding (README §10: "compare uint8 with a
            // tolerance of 1" for exactly these pixels).
            long[] expected = st.loadLongs("image_uint8");
            float[] referenceFloat = st.load("image_float").data();
            double slack = c.atol("image_float") * 255;
            int[] actual = uint8Nhwc(result.images());
            for (int i = 0; i < expected.length; i++) {
                double scaled = referenceFloat[i] * 255.0;
                boolean nearHalf = Math.abs(scaled - Math.floor(scaled) - 0.5) <= slack;
                int allowed = nearHalf ? 1 : 0;
                assertThat(Math.abs(actual[i] - (int) expected[i])).as("image_uint8 at flat index %d (expected %d, got %d)",
                        i, expected[i], actual[i]).isLessThanOrEqualTo(allowed);
            }
        }
    }

    private static int[] uint8Nhwc(Tensor images) {
        int batch = images.dim(0);
        List<Integer> all = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            ByteImage img = PipelineImages.toByteImage(images, b);
            for (byte v : img.pixels()) {
                all.add(v & 0xff);
            }
        }
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    private static GenerationOptions options(JsonNode call) {
        GenerationOptions o = GenerationOptions.defaults()
                .withSteps(call.path("num_inference_steps").asInt(12))
                .withGuidanceScale((float) call.path("guidance_scale").asDouble(10.0))
                .withImagesPerPrompt(call.path("num_images_per_prompt").asInt(1));
        JsonNode temperature = call.path("temperature");
        if (temperature.isArray()) {
            o = o.withTemperature(temperature.get(0).floatValue(), temperature.get(1).floatValue());
        } else if (temperature.isNumber()) {
            o = o.withTemperature(temperature.floatValue(), 0.01f);
        }
        JsonNode crop = call.path("micro_conditioning_crop_coord");
        float aesthetic = (float) call.path("micro_conditioning_aesthetic_score").asDouble(o.aestheticScore());
        return new GenerationOptions(o.steps(), o.guidanceScale(), o.imagesPerPrompt(), o.seed(),
                o.temperatureStart(), o.temperatureEnd(), aesthetic,
                crop.isArray() ? crop.get(0).floatValue() : 0f, crop.isArray() ? crop.get(1).floatValue() : 0f);
    }

    private static List<String> strings(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }
}
