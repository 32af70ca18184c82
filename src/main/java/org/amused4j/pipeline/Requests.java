package org.amused4j.pipeline;

import org.amused4j.image.DecodedImage;
import org.amused4j.tensor.AmusedException;

/** The requests the three pipelines take. */
public final class Requests {
    private Requests() {
    }

    /**
     * Text-to-image. {@code width} and {@code height} in pixels; 0 means the model's default
     * (transformer sample_size × VQ factor: 256 or 512).
     */
    public record TextToImage(Prompts prompts, int width, int height, GenerationOptions options) {
        public TextToImage {
            if (width < 0 || height < 0) {
                throw new AmusedException("width and height must be positive, got " + width + "x" + height);
            }
        }

        public static TextToImage of(String prompt) {
            return new TextToImage(Prompts.of(prompt), 0, 0, GenerationOptions.defaults());
        }
    }

    /** Image-to-image: re-generates the last {@code strength} of the schedule starting from the image's tokens. */
    public record ImageToImage(Prompts prompts, DecodedImage image, float strength, GenerationOptions options) {
        public static final float DEFAULT_STRENGTH = 0.5f;

        public ImageToImage {
            checkStrength(strength);
        }
    }

    /** Inpainting: tokens under the white part of {@code mask} are generated anew; the rest are kept. */
    public record Inpaint(Prompts prompts, DecodedImage image, DecodedImage mask, float strength,
                          GenerationOptions options) {
        public static final float DEFAULT_STRENGTH = 1f;

        public Inpaint {
            checkStrength(strength);
            checkMaskSize(image, mask);
        }
    }

    public static void checkMaskSize(DecodedImage image, DecodedImage mask) {
        if (mask.width() != image.width() || mask.height() != image.height()) {
            throw new AmusedException("the mask is " + mask.width() + "x" + mask.height() + " but the image is "
                    + image.width() + "x" + image.height() + "; they must have the same size");
        }
    }

    public static void checkStrength(float strength) {
        if (!(strength > 0f && strength <= 1f)) {
            throw new AmusedException("strength must be in (0, 1], got " + strength);
        }
    }
}
