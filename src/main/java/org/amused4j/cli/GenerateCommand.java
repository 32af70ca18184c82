package org.amused4j.cli;

import org.amused4j.pipeline.Amused;
import org.amused4j.pipeline.Generation;
import org.amused4j.pipeline.GenerationOptions;
import org.amused4j.pipeline.Prompts;
import org.amused4j.pipeline.Requests;
import org.amused4j.pipeline.StepListener;
import org.amused4j.tensor.AmusedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code amused generate}: text-to-image. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate images from a text prompt.",
        footer = {"", "Examples:",
                "  amused generate --model amused-256 \"a red fox in the snow\"",
                "  amused generate --model amused-512 -p \"a castle\" -p \"a lighthouse\" --num-images 2 -o out/"})
final class GenerateCommand extends GenerationCommand {
    @Option(names = "--width", defaultValue = "0",
            description = "Image width in pixels, a multiple of 16 (default: the model's, 256 or 512).")
    int width;

    @Option(names = "--height", defaultValue = "0",
            description = "Image height in pixels, a multiple of 16 (default: the model's, 256 or 512).")
    int height;

    @Override
    String pipelineName() {
        return "text-to-image";
    }

    @Override
    void prepare() {
        if (width < 0 || height < 0) {
            throw new AmusedException("width and height must be positive, got " + width + "x" + height);
        }
    }

    @Override
    Generation generate(Amused amused, Prompts prompts, GenerationOptions options, StepListener listener) {
        return amused.textToImage(new Requests.TextToImage(prompts, width, height, options), listener);
    }
}
