package org.amused4j.cli;

import org.amused4j.image.DecodedImage;
import org.amused4j.image.ImageFiles;
import org.amused4j.pipeline.Amused;
import org.amused4j.pipeline.Generation;
import org.amused4j.pipeline.GenerationOptions;
import org.amused4j.pipeline.Prompts;
import org.amused4j.pipeline.Requests;
import org.amused4j.pipeline.StepListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;

/** {@code amused img2img}: image-to-image. */
@Command(name = "img2img", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Make a variation of an image, guided by a prompt.",
        footer = {"", "Example:",
                "  amused img2img --model amused-256 --image photo.png --strength 0.6 \"a watercolor painting\""})
final class ImageToImageCommand extends GenerationCommand {
    @Option(names = {"-i", "--image"}, required = true, paramLabel = "FILE",
            description = "Input image (PNG or JPEG); sides are cut down to a multiple of 16 by resizing.")
    Path imageFile;

    @Option(names = "--strength", defaultValue = "0.5",
            description = "How much to change, in (0, 1]: the fraction of steps re-run (default: ${DEFAULT-VALUE}).")
    float strength;

    private DecodedImage image;

    @Override
    String pipelineName() {
        return "image-to-image";
    }

    @Override
    void prepare() {
        Requests.checkStrength(strength);
        image = ImageFiles.read(imageFile);
    }

    @Override
    Generation generate(Amused amused, Prompts prompts, GenerationOptions options, StepListener listener) {
        return amused.imageToImage(new Requests.ImageToImage(prompts, image, strength, options), listener);
    }

    @Override
    Map<String, String> extraMetadata() {
        return Map.of("strength", Float.toString(strength), "image", imageFile.getFileName().toString());
    }
}
