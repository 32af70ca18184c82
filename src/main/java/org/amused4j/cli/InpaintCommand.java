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

/** {@code amused inpaint}: repaint the white part of a mask. */
@Command(name = "inpaint", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Repaint the white region of a mask to match a prompt; the rest of the image is kept.",
        footer = {"", "Example:",
                "  amused inpaint --model amused-512 --image room.png --mask mask.png \"a yellow flower\"",
                "", "The mask has the image's size; white = repaint. It is reduced to the token grid (one token per",
                "16x16 pixels), so edges snap to 16-pixel blocks."})
final class InpaintCommand extends GenerationCommand {
    @Option(names = {"-i", "--image"}, required = true, paramLabel = "FILE", description = "Input image (PNG or JPEG).")
    Path imageFile;

    @Option(names = "--mask", required = true, paramLabel = "FILE",
            description = "Mask image of the same size: white = repaint, black = keep.")
    Path maskFile;

    @Option(names = "--strength", defaultValue = "1",
            description = "Fraction of the steps to run, in (0, 1] (default: ${DEFAULT-VALUE}).")
    float strength;

    private DecodedImage image;
    private DecodedImage mask;

    @Override
    String pipelineName() {
        return "inpaint";
    }

    @Override
    void prepare() {
        Requests.checkStrength(strength);
        image = ImageFiles.read(imageFile);
        mask = ImageFiles.read(maskFile);
        Requests.checkMaskSize(image, mask);
    }

    @Override
    Generation generate(Amused amused, Prompts prompts, GenerationOptions options, StepListener listener) {
        return amused.inpaint(new Requests.Inpaint(prompts, image, mask, strength, options), listener);
    }

    @Override
    Map<String, String> extraMetadata() {
        return Map.of("strength", Float.toString(strength), "image", imageFile.getFileName().toString(),
                "mask", maskFile.getFileName().toString());
    }
}
