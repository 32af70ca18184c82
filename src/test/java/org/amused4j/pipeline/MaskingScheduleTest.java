package org.amused4j.pipeline;

import org.amused4j.golden.ModelCopy;
import org.amused4j.sampling.MaskSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Text-to-image follows the masking schedule of the folder's scheduler_config.json, as diffusers' AmusedPipeline
 * does (the step reads {@code self.config.masking_schedule}); only inpainting forces the linear one (spec 08 §7).
 * Text-to-image used to hard-code the cosine schedule, so a "linear" config was silently ignored.
 */
class MaskingScheduleTest {
    @Test
    void textToImageUsesTheConfiguredSchedule(@TempDir Path dir) throws IOException {
        Path builtIn = EmbeddedModel.locate().orElseThrow();
        Path linear = ModelCopy.wholeFolder(builtIn, dir.resolve("linear"));
        Path config = linear.resolve("scheduler").resolve("scheduler_config.json");
        Files.writeString(config, Files.readString(config).replace("\"cosine\"", "\"linear\""));

        AmusedModel cosineModel = AmusedModel.load(builtIn, null);
        AmusedModel linearModel = AmusedModel.load(linear, null);
        assertThat(cosineModel.scheduler().maskingSchedule()).isEqualTo(MaskSchedule.COSINE);
        assertThat(linearModel.scheduler().maskingSchedule()).isEqualTo(MaskSchedule.LINEAR);

        // Four steps: after each of the first three, cosine leaves 92 / 71 / 38 % of the tokens masked and linear
        // 75 / 50 / 25 %, so the same seed ends on different grids.
        Requests.TextToImage request = new Requests.TextToImage(Prompts.of("a large red circle at center on a "
                + "blue background"), 0, 0, cosineModel.defaultOptions().withSteps(4).withSeed(3));
        int[] withCosine = new Amused(cosineModel).textToImage(request, StepListener.NONE).tokens();
        int[] withLinear = new Amused(linearModel).textToImage(request, StepListener.NONE).tokens();
        int[] linearAgain = new Amused(linearModel).textToImage(request, StepListener.NONE).tokens();
        assertThat(withLinear).isEqualTo(linearAgain).isNotEqualTo(withCosine);
    }
}
